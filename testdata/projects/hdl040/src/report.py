import pymysql

from db_settings import connect_args


def handler(event, context):
    conn = pymysql.connect(host="db.internal", user="report", password="Rep0rt!2024", database="sales")
    other = pymysql.connect(**connect_args())
    return {"rows": conn.query("select 1"), "other": other}
