from azure.identity import DefaultAzureCredential
from azure.keyvault.secrets import SecretClient  # EXPECT azure-keyvault-secrets
c = SecretClient("https://v", DefaultAzureCredential())
