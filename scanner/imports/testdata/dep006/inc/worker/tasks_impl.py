import boto3
import celery
import rq  # EXPECT rq
