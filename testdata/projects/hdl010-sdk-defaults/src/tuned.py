import boto3
from botocore.config import Config
from shared_config import BOTO_CONFIG  # from a layer: not known here

RETRIES = Config(retries={"total_max_attempts": 2})
s3 = boto3.client("s3", config=RETRIES.merge(Config(connect_timeout=1, read_timeout=3)))
sqs = boto3.client("sqs", config=BOTO_CONFIG)
sns = boto3.client("sns", config=Config(read_timeout=4))


def handler(event, context):
    s3.head_bucket(Bucket="orders-archive")
    sqs.send_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/audit", MessageBody="x")
    sns.publish(TopicArn="arn:aws:sns:eu-west-1:123456789012:audit", Message="x")
    return {"statusCode": 204}
