import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def main(event, context):
    for record in event["Records"]:
        TABLE.put_item(Item={"id": record["messageId"], "body": record["body"]})
