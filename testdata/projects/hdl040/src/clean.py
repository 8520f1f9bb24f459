import json
import os

import boto3
import pymysql

secrets = boto3.client("secretsmanager")
SECRET = json.loads(secrets.get_secret_value(SecretId=os.environ["DB_SECRET_ARN"])["SecretString"])
# The AWS documentation's example key, a placeholder and names to look up: not credentials.
EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"
DEFAULTS = {"password": "changeme", "secret_name": "prod/db/credentials", "user": "app"}
PASSWORD_VAR = "DB_PASSWORD"
PEM_HEADER = "-----BEGIN RSA PRIVATE KEY-----"


def handler(event, context):
    password = os.environ.get("DB_PASSWORD", "")
    conn = pymysql.connect(host="db", user=SECRET["username"], password=SECRET["password"])
    if not password:
        return {"error": "Password is required"}
    return {"ok": conn is not None, "key": EXAMPLE_KEY, "d": DEFAULTS, "v": PASSWORD_VAR, "h": PEM_HEADER}
