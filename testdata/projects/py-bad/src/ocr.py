import os

import boto3

textract = boto3.client("textract")


def handler(event, context):
    job = textract.start_document_text_detection(
        DocumentLocation={"S3Object": {"Bucket": os.environ["BUCKET"], "Name": event["key"]}}
    )
    return job["JobId"]
