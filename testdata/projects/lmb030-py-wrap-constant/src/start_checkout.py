import json
import os

import boto3

machine = boto3.client("stepfunctions")
STAGE = os.getenv("STAGE", "prod")


def handler(event, context):
    cart = json.loads(event["body"])
    wrapped = {"cart": cart, "channel": "web", "stage": STAGE}
    run = machine.start_execution(stateMachineArn=os.environ["MACHINE"], input=json.dumps(wrapped))
    return {"statusCode": 200, "body": json.dumps({"id": run["executionArn"]})}
