import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    order = json.loads(event["body"])
    if order["priority"] == "high":
        sqs.send_message(QueueUrl=os.environ["FAST_QUEUE"], MessageBody=event["body"])
    return {"statusCode": 202}
