import os

import boto3
import pymysql
import requests


def handler(event, context):
    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    conn = pymysql.connect(host=os.environ["DB_HOST"], user="app", password="x")
    rate = requests.get("https://rates.example.com/eur").json()
    for item in event["items"]:
        item["rate"] = rate
        table.put_item(Item=item)
    conn.close()
    return {"ok": True}
