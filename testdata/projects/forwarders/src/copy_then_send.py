import json
import logging
import os

import boto3

logger = logging.getLogger()
sqs = boto3.client("sqs")
QUEUE_URL = os.environ.get("QUEUE_URL", "")


def handler(event, context):
    body = event["body"]
    payload = json.loads(body)
    logger.info("received %s", payload)
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps(payload))
    return {"statusCode": 202, "body": json.dumps({"accepted": True})}
