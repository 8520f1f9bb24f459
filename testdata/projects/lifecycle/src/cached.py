import os

import pymysql

_conn = None


def connection():
    global _conn
    if _conn is None or not _conn.open:
        _conn = pymysql.connect(host=os.environ["DB_HOST"], user="app", database="orders")
    return _conn


def handler(event, context):
    with connection().cursor() as cur:
        cur.execute("SELECT count(*) FROM orders")
        return cur.fetchone()
