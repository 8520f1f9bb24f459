import json
import os

import boto3

shipments = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    found = shipments.get_item(Key={"id": event["pathParameters"]["id"]})
    return {"statusCode": 200, "body": json.dumps(found.get("Item"), default=str)}
