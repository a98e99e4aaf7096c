from sphinxcontrib.napoleon import Config  # EXPECT sphinxcontrib-napoleon (sphinx ships sphinx.ext.napoleon)
from sphinxcontrib.serializinghtml import JSONHTMLBuilder
