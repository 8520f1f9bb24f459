import json
import os

import boto3

sns = boto3.client("sns")


def publish(message):
    return sns.publish(TopicArn=os.environ["TOPIC"], Message=json.dumps(message))


def handler(event, context):
    publish({"detail": event["detail"], "source": event["source"]})
    return {"ok": True}
