import os

import pymysql


def connection():
    return pymysql.connect(host=os.environ["DB_HOST"], user="app", database="orders")


def handler(event, context):
    with connection().cursor() as cur:
        cur.execute("SELECT count(*) FROM orders")
        return cur.fetchone()
