import os

import boto3


def handler(event, context):
    auth = event["requestContext"]["authorizer"]
    session = boto3.Session(
        aws_access_key_id=auth["accessKey"],
        aws_secret_access_key=auth["secretKey"],
        aws_session_token=auth["sessionToken"],
    )
    table = session.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    item = table.get_item(Key={"pk": auth["tenantId"] + "#" + event["id"]})
    return item.get("Item", {})
