import os

import boto3

SQS = boto3.client("sqs")


def main(event, context):
    SQS.send_message(QueueUrl=os.environ["FAILURE_QUEUE_URL"], MessageBody="audit")
