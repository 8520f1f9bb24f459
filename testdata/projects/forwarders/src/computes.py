import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ.get("TABLE", "orders"))


def handler(event, context):
    order = json.loads(event["body"])
    total = order["price"] * order["quantity"]
    table.put_item(Item={"id": order["id"], "total": total})
    return {"statusCode": 201}
