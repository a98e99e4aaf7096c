from sphinxcontrib.mermaid import Mermaid
from sphinx.application import Sphinx
def setup(app: Sphinx):
    app.add_directive("m", Mermaid)
