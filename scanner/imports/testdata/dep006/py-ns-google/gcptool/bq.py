from google.cloud import bigquery  # EXPECT google-cloud-bigquery
client = bigquery.Client()
