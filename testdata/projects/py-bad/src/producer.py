import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    for order in event["orders"]:
        sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(order))
    return {"sent": len(event["orders"])}
