import json
import os

import boto3

stream = boto3.client("kinesis")
OK = {"statusCode": 204}


def handler(event, context):
    stream.put_record(
        StreamName=os.environ["STREAM"],
        Data=json.dumps(event["body"]).encode(),
        PartitionKey=context.aws_request_id,
    )
    return OK
