import json
import os

import boto3

machine = boto3.client("stepfunctions")


def handler(event, context):
    cart = json.loads(event["body"])
    skus = [line["sku"] for line in cart["lines"]]
    machine.start_execution(stateMachineArn=os.environ["MACHINE"], input=json.dumps({"skus": skus}))
    return {"statusCode": 202}
