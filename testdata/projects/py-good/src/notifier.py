import os

import boto3

sns = boto3.client("sns")


def handler(event, context):
    for alert in event["alerts"]:
        sns.publish(TopicArn=os.environ["TOPIC_ARN"], Message=alert["text"])
    return {"sent": len(event["alerts"])}
