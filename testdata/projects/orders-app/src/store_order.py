import json
import os

import boto3


def handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])  # created on every invocation
    for record in event["Records"]:
        order = json.loads(record["body"])
        order["status"] = "stored"
        table.put_item(Item=order)
