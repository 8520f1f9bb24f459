import os

import boto3
import requests

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    items = table.scan()["Items"]
    total = sum(float(i.get("amount", 0)) for i in items)
    requests.post("https://hooks.example.com/report", json={"orders": len(items), "total": total})
    return {"orders": len(items)}
