from google.cloud.firestore import Client  # EXPECT google-cloud-firestore
db = Client()
