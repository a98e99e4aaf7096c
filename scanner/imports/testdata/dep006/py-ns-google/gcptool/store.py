from google.cloud import storage
from google.cloud.exceptions import NotFound
from google.api_core import retry
import google.auth
from google.oauth2 import service_account
def get(name):
    try:
        return storage.Client().bucket(name)
    except NotFound:
        return None
