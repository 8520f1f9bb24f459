import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    for record in event["Records"]:
        existing = table.query(KeyConditionExpression="id = :id", ExpressionAttributeValues={":id": record["id"]})
        if not existing["Items"]:
            table.put_item(Item={"id": record["id"], "count": 1})
    return {"ok": True}
