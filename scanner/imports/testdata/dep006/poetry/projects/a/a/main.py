import requests
import pytest  # EXPECT dev-only in production code
