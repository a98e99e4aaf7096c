import google.cloud.bigquery  # EXPECT google-cloud-bigquery
client = google.cloud.bigquery.Client()
