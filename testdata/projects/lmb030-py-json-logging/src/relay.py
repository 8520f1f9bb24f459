"""Decodes the alert, logs it, counts it and publishes it unchanged."""
import json
import logging
import os

import boto3
from aws_xray_sdk.core import xray_recorder

log = logging.getLogger(__name__)
notifications = boto3.client("sns")


def handler(event, context):
    log.info("alert received: %s", event.get("body"))
    alert = json.loads(event["body"])
    xray_recorder.put_annotation("alert", "relay")
    text = json.dumps(alert, separators=(",", ":"))
    notifications.publish(TopicArn=os.environ["TOPIC_ARN"], Message=text)
    log.debug("published")
    return {"statusCode": 202, "body": ""}
