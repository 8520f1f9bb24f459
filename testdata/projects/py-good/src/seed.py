import json
import os
import urllib.request

import boto3


def handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    if event["RequestType"] == "Create":
        table.put_item(Item={"id": "seed"})
    body = json.dumps({"Status": "SUCCESS", "PhysicalResourceId": "seed", "StackId": event["StackId"],
                       "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"]})
    request = urllib.request.Request(event["ResponseURL"], data=body.encode(), method="PUT")
    urllib.request.urlopen(request, timeout=5)
