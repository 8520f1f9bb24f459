import os

import boto3
import requests

table = None
SECRET_URL = "http://localhost:2773/secretsmanager/get?secretId=" + os.environ["SECRET_ID"]


def handler(event, context):
    global table
    if table is None:
        table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    ctx = event["requestContext"]
    apigw = boto3.client("apigatewaymanagementapi", endpoint_url=f"https://{ctx['domainName']}/{ctx['stage']}")
    item = table.get_item(Key={"id": ctx["connectionId"]})
    token = requests.get(SECRET_URL, headers={"X-Aws-Parameters-Secrets-Token": os.environ["AWS_SESSION_TOKEN"]})
    apigw.post_to_connection(ConnectionId=ctx["connectionId"], Data=str(item.get("Item")) + token.text)
    return {"statusCode": 200}
