from google.cloud.bigquery import SchemaField
import google.auth.transport.requests
from google.cloud import bigquery_storage  # EXPECT google-cloud-bigquery-storage (an extra, not a requirement)
from google.cloud import logging  # EXPECT google-cloud-logging
