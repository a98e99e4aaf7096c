from azure.monitor.opentelemetry import configure_azure_monitor
from azure.cosmos import CosmosClient
from azure.core.credentials import AzureKeyCredential
from azure.servicebus import ServiceBusClient  # EXPECT azure-servicebus
