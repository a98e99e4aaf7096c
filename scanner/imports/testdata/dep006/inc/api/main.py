import fastapi
import boto3  # EXPECT boto3: api has its own requirements without -r ../requirements.txt
