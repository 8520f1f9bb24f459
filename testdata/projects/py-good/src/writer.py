import os

import boto3
import pymysql
import requests

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
ssm = boto3.client("ssm")
conn = pymysql.connect(host=os.environ["DB_HOST"], user="app", password="x")
_key = None


def handler(event, context):
    global _key
    if _key is None:
        _key = ssm.get_parameter(Name="/app/key")["Parameter"]["Value"]
    rate = requests.get("https://rates.example.com/eur", timeout=3).json()
    for item in event["items"]:
        item["rate"] = rate
        table.put_item(Item=item)
    return {"ok": True}
