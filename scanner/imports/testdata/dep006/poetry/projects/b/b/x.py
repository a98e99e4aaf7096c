import numpy as np
import requests  # EXPECT requests (project a only)
