from google.cloud import pubsub_v1
from google.protobuf import json_format
p = pubsub_v1.PublisherClient()
