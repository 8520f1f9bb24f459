import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ.get("TABLE", "orders"))


def handler(event, context):
    current = table.get_item(Key={"id": event["id"]}).get("Item", {})
    table.put_item(Item={"id": event["id"], "status": event["status"], "previous": current.get("status")})
