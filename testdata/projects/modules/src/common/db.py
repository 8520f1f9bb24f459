import json
import os

import pymysql


def save(data):
    conn = pymysql.connect(host=os.environ["DB_HOST"], user="app", database="ingest")
    with conn.cursor() as cur:
        cur.execute("INSERT INTO raw (body) VALUES (%s)", (json.dumps(data),))
    conn.commit()
