from google.cloud import secretmanager
from google.cloud import secretmanager_v1
c = secretmanager.SecretManagerServiceClient()
