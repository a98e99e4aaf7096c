import json
import boto3
import pandas as pd  # EXPECT pandas
def handler(event, ctx):
    return pd.DataFrame(json.loads(event["body"])).to_json()
