import base64
import os

import boto3
import botocore.session
from aws_lambda_powertools.utilities import parameters
from aws_secretsmanager_caching import SecretCache

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
cache = SecretCache(client=botocore.session.get_session().create_client("secretsmanager"))


def handler(event, context):
    config = parameters.get_parameter("/app/config", max_age=300)
    key = cache.get_secret_string("app-key")
    for record in event["Records"]:
        data = base64.b64decode(record["kinesis"]["data"]).decode()
        table.put_item(Item={"id": record["eventID"], "data": data, "config": config, "k": key})
    return {"ok": True}
