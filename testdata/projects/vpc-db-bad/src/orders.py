import json
import os

import boto3
import pymysql

table = boto3.client("dynamodb")
conn = pymysql.connect(host=os.environ["DB_HOST"], user="app", password=os.environ.get("DB_PASSWORD", ""))


def handler(event, context):
    order = json.loads(event["body"])
    with conn.cursor() as cur:
        cur.execute("INSERT INTO orders (id) VALUES (%s)", (order["id"],))
    conn.commit()
    table.put_item(TableName=os.environ["TABLE_NAME"], Item={"id": {"S": order["id"]}})
    return {"statusCode": 201}
