from azure.storage.blob import BlobServiceClient
from azure.identity import DefaultAzureCredential
from azure.core.exceptions import ResourceNotFoundError
c = BlobServiceClient("https://a", DefaultAzureCredential())
