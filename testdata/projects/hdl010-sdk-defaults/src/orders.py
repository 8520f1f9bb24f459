import boto3
from botocore.config import Config

from lib.store import load_order

s3 = boto3.client("s3")
TIMEOUTS = Config(connect_timeout=2, read_timeout=5)
table = boto3.resource("dynamodb", config=TIMEOUTS)
rds = boto3.client("rds")  # only signs auth tokens locally: no request, no timeout to wait on


def rebuild_index():
    # Never called by the handler: not reached.
    return boto3.client("cloudsearch").describe_domains()


def handler(event, context):
    session = boto3.session.Session()
    sqs = session.client("sqs")
    order = load_order(event["pathParameters"]["id"])
    body = s3.get_object(Bucket="orders-archive", Key=order["key"])["Body"].read()
    sqs.send_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/audit", MessageBody="read")
    table.put_item(Item={"id": order["id"], "seen": True})
    token = rds.generate_db_auth_token(DBHostname="db.internal", Port=5432, DBUsername="app")
    return {"statusCode": 200, "body": body.decode(), "token": len(token)}
