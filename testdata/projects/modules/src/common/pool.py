import json
import os

import pymysql

_conn = None


def _connection():
    global _conn
    if _conn is None:
        _conn = pymysql.connect(host=os.environ["DB_HOST"], user="app", database="ingest")
    return _conn


def save_pooled(data):
    conn = _connection()
    with conn.cursor() as cur:
        cur.execute("INSERT INTO raw (body) VALUES (%s)", (json.dumps(data),))
    conn.commit()
