import json
import os

import boto3

visits = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def lambda_handler(event, context):
    visit = json.loads(event["body"])
    if not visit.get("page"):
        raise ValueError("a visit needs a page")
    visits.put_item(Item=visit)
    return {"stored": True}
