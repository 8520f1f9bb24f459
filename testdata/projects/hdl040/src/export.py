import boto3

s3 = boto3.client(
    "s3",
    aws_access_key_id="AKIA2E0A8F3B244C9986",
    aws_secret_access_key="k7Qm2ZbP9xRt4LwVn8Hc3JdFs6GyA1uEo5KiT0pN",
)


def handler(event, context):
    s3.put_object(Bucket="exports", Key="x.csv", Body=b"")
    return {}
