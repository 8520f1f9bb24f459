import json
import os

import boto3

s3 = boto3.client("s3")
lambda_client = boto3.client("lambda")


def handler(event, context):
    s3.download_file(os.environ["BUCKET"], event["key"], "/tmp/in")
    s3.upload_file("/tmp/in", os.environ["BUCKET"], event["key"] + ".copy")
    lambda_client.invoke(FunctionName="worker", Payload=json.dumps(event))
    return {"ok": True}
