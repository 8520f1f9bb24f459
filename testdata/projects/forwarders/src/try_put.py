import json
import os
import uuid

import boto3

table = boto3.resource("dynamodb").Table(os.environ.get("TABLE", "orders"))


def handler(event, context):
    try:
        order = json.loads(event["body"])
        table.put_item(Item={"id": str(uuid.uuid4()), "order": order})
    except Exception:
        print("put failed")
        raise
    return {"statusCode": 201}
