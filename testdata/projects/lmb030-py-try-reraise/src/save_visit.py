import json
import os

import boto3
from botocore.exceptions import ClientError

visits = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def lambda_handler(event, context):
    visit = json.loads(event["body"])
    try:
        visits.put_item(Item=visit)
    except ClientError as error:
        print(f"could not store the visit: {error}")
        raise error
    return {"stored": True}
