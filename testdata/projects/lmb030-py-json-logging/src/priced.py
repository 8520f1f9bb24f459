"""Same outline, but it computes a price from the alert before publishing: real work."""
import json
import logging
import os

import boto3

log = logging.getLogger(__name__)
notifications = boto3.client("sns")


def handler(event, context):
    log.info("alert received")
    alert = json.loads(event["body"])
    alert["cost"] = alert["units"] * 0.25
    notifications.publish(TopicArn=os.environ["TOPIC_ARN"], Message=json.dumps(alert))
    return {"statusCode": 202, "body": ""}
