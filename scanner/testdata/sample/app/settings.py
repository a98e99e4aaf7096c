import os

SECRET = "x"  # FINDME
DEBUG = True  # QUIETME
