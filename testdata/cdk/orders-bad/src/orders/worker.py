import boto3


def main(event, context):
    # A client per invocation: HDL001 (found in the source form only: the package points at S3).
    table = boto3.resource("dynamodb").Table("orders")
    for record in event["Records"]:
        table.put_item(Item={"id": record["messageId"], "body": record["body"]})
