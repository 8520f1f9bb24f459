import os

import boto3

textract = boto3.client("textract")
rds_data = boto3.client("rds-data")


def handler(event, context):
    job = textract.start_document_text_detection(
        DocumentLocation={"S3Object": {"Bucket": os.environ["BUCKET"], "Name": event["key"]}}
    )
    rds_data.execute_statement(
        resourceArn=os.environ["CLUSTER_ARN"],
        secretArn=os.environ["SECRET_ARN"],
        sql="insert into jobs values (:id)",
        parameters=[{"name": "id", "value": {"stringValue": job["JobId"]}}],
    )
    return job["JobId"]
