import os

import boto3
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

processor = BatchProcessor(event_type=EventType.SQS)
shipments = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def store(record):
    shipments.put_item(Item=record.json_body)


def handler(event, context):
    return process_partial_response(
        event=event, record_handler=store, processor=processor, context=context
    )
