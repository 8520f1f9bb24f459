"""Handler shapes for scripts/lmb030-recall: forwarders (LMB030 expected) and handlers that do real
work (LMB030 must stay silent), in Python and Node.js. Each shape is written the way such handlers
are written in public serverless applications; none is a copy of a test fixture."""

PY = {"lang": "python", "runtime": "python3.12", "file": "app.py", "handler": "app.handler"}
CJS = {"lang": "node", "runtime": "nodejs20.x", "file": "app.js", "handler": "app.handler"}
ESM = {"lang": "node", "runtime": "nodejs20.x", "file": "app.mjs", "handler": "app.handler"}


def shape(base, sid, expect, code, **kw):
    s = dict(base)
    s.update(kw)
    s.update({"id": sid, "expect": expect, "code": code.lstrip("\n")})
    return s


SHAPES = [
    # ---------------------------------------------------------------- Python, forwarding
    shape(PY, "py-fwd-copy-body-sqs", "forward", '''
import os

import boto3

sqs = boto3.client("sqs")
QUEUE_URL = os.environ["QUEUE_URL"]


def handler(event, context):
    body = event["body"]
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=body)
    return {"statusCode": 202, "body": ""}
'''),
    shape(PY, "py-fwd-json-roundtrip-sns", "forward", '''
import json
import os

import boto3

sns = boto3.client("sns")


def handler(event, context):
    payload = json.loads(event["body"])
    message = json.dumps(payload)
    response = sns.publish(TopicArn=os.environ["TOPIC_ARN"], Message=message)
    return {"statusCode": 200, "body": json.dumps({"messageId": response["MessageId"]})}
'''),
    shape(PY, "py-fwd-powertools-eventbridge", "forward", '''
import json
import os

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace="Orders")
events = boto3.client("events")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    logger.info("received order event")
    detail = event["detail"]
    metrics.add_metric(name="Forwarded", unit=MetricUnit.Count, value=1)
    events.put_events(
        Entries=[
            {
                "Source": "orders.api",
                "DetailType": "OrderPlaced",
                "Detail": json.dumps(detail),
                "EventBusName": os.environ["BUS_NAME"],
            }
        ]
    )
    return {"statusCode": 202}
'''),
    shape(PY, "py-fwd-try-reraise-table", "forward", '''
import json
import logging
import os

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    item = json.loads(event["body"])
    try:
        table.put_item(Item=item)
    except Exception as err:
        logger.exception("put failed: %s", err)
        raise
    return {"statusCode": 201, "body": json.dumps({"ok": True})}
'''),
    shape(PY, "py-fwd-wrap-env-stepfunctions", "forward", '''
import json
import os

import boto3

sfn = boto3.client("stepfunctions")
STATE_MACHINE_ARN = os.environ.get("STATE_MACHINE_ARN")


def handler(event, context):
    execution_input = {
        "source": "api",
        "stage": os.environ.get("STAGE", "dev"),
        "request": event,
    }
    result = sfn.start_execution(
        stateMachineArn=STATE_MACHINE_ARN, input=json.dumps(execution_input)
    )
    return {"statusCode": 200, "body": json.dumps({"executionArn": result["executionArn"]})}
'''),
    shape(PY, "py-fwd-constant-response-kinesis", "forward", '''
import json
import os
import uuid

import boto3

kinesis = boto3.client("kinesis")
STREAM = os.environ["STREAM_NAME"]
ACCEPTED = {
    "statusCode": 202,
    "headers": {"Content-Type": "application/json"},
    "body": '{"accepted": true}',
}


def handler(event, context):
    kinesis.put_record(
        StreamName=STREAM,
        Data=json.dumps(event).encode("utf-8"),
        PartitionKey=str(uuid.uuid4()),
    )
    return ACCEPTED
'''),
    shape(PY, "py-fwd-helper-queue-resource", "forward", '''
import json
import os

import boto3

queue = boto3.resource("sqs").Queue(os.environ["QUEUE_URL"])


def enqueue(message):
    return queue.send_message(MessageBody=json.dumps(message))


def handler(event, context):
    enqueue(event)
    return {"statusCode": 202}
'''),
    shape(PY, "py-fwd-typed-item-dynamodb", "forward", '''
import os
from datetime import datetime, timezone

import boto3

ddb = boto3.client("dynamodb")


def lambda_handler(event, context):
    print("event:", event)
    body = event.get("body") or "{}"
    ddb.put_item(
        TableName=os.environ["TABLE"],
        Item={
            "pk": {"S": event["requestContext"]["requestId"]},
            "payload": {"S": body},
            "createdAt": {"S": datetime.now(timezone.utc).isoformat()},
        },
    )
    return {"statusCode": 201}
''', handler="app.lambda_handler"),
    shape(PY, "py-fwd-xray-sns", "forward", '''
import json
import os

import boto3
from aws_xray_sdk.core import patch_all, xray_recorder

patch_all()
sns = boto3.client("sns")
TOPIC_ARN = os.environ["TOPIC_ARN"]


def handler(event, context):
    xray_recorder.put_annotation("kind", "forward")
    message = event["detail"]
    sns.publish(TopicArn=TOPIC_ARN, Message=json.dumps(message), Subject="order")
'''),
    shape(PY, "py-fwd-merge-dict-firehose", "forward", '''
import json
import os

import boto3

firehose = boto3.client("firehose")
STREAM = os.environ["DELIVERY_STREAM"]


def handler(event, context):
    body = json.loads(event["body"])
    record = {**body, "source": "web", "region": os.environ["AWS_REGION"]}
    firehose.put_record(
        DeliveryStreamName=STREAM, Record={"Data": json.dumps(record) + "\\n"}
    )
    return {"statusCode": 202, "body": json.dumps({"status": "accepted"})}
'''),
    shape(PY, "py-fwd-class-publisher", "forward", '''
import json
import os

import boto3


class Publisher:
    def __init__(self, topic_arn):
        self.client = boto3.client("sns")
        self.topic_arn = topic_arn

    def publish(self, message):
        return self.client.publish(TopicArn=self.topic_arn, Message=json.dumps(message))


publisher = Publisher(os.environ["TOPIC_ARN"])


def handler(event, context):
    publisher.publish(event["detail"])
    return {"ok": True}
'''),
    shape(PY, "py-fwd-batch-entry-fstring", "forward", '''
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    order_id = event["pathParameters"]["orderId"]
    sqs.send_message_batch(
        QueueUrl=os.environ["QUEUE_URL"],
        Entries=[{"Id": "1", "MessageBody": f"order {order_id} received"}],
    )
    return {"statusCode": 202}
'''),
    shape(PY, "py-fwd-dict-call-headers", "forward", '''
import os

import boto3

events = boto3.client("events")


def handler(event, context):
    correlation = event["headers"].get("x-correlation-id", "")
    entry = dict(
        Source="storefront",
        DetailType="CartUpdated",
        Detail=event["body"],
        Resources=[correlation],
        EventBusName=os.environ["BUS"],
    )
    events.put_events(Entries=[entry])
    return {"statusCode": 202}
'''),
    shape(PY, "py-fwd-inline-merge-put", "forward", '''
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    table.put_item(Item={**json.loads(event["body"]), "pk": event["pathParameters"]["id"]})
    return {"statusCode": 201, "body": json.dumps({"id": event["pathParameters"]["id"]})}
'''),
    # ---------------------------------------------------------------- Python, real work
    shape(PY, "py-work-arithmetic", "work", '''
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    order = json.loads(event["body"])
    total = order["quantity"] * order["unit_price"]
    table.put_item(Item={"id": order["id"], "total": total})
    return {"statusCode": 201}
'''),
    shape(PY, "py-work-branch-on-data", "work", '''
import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    body = json.loads(event["body"])
    if body.get("priority") == "high":
        queue_url = os.environ["FAST_QUEUE_URL"]
    else:
        queue_url = os.environ["SLOW_QUEUE_URL"]
    sqs.send_message(QueueUrl=queue_url, MessageBody=event["body"])
    return {"statusCode": 202}
'''),
    shape(PY, "py-work-loop-records", "work", '''
import os

import boto3

sns = boto3.client("sns")
TOPIC_ARN = os.environ["TOPIC_ARN"]


def handler(event, context):
    for record in event["Records"]:
        sns.publish(TopicArn=TOPIC_ARN, Message=record["body"])
'''),
    shape(PY, "py-work-second-read", "work", '''
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
events = boto3.client("events")


def handler(event, context):
    key = event["pathParameters"]["id"]
    item = table.get_item(Key={"id": key})["Item"]
    events.put_events(
        Entries=[{"Source": "orders", "DetailType": "Loaded", "Detail": json.dumps(item)}]
    )
    return {"statusCode": 200}
'''),
    shape(PY, "py-work-validate-reject", "work", '''
import json
import os

import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    body = json.loads(event["body"])
    if "email" not in body:
        return {"statusCode": 400, "body": json.dumps({"error": "email is required"})}
    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(body))
    return {"statusCode": 202}
'''),
    shape(PY, "py-work-normalise-string", "work", '''
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    body = json.loads(event["body"])
    email = body["email"].strip().lower()
    table.put_item(Item={"email": email, "name": body["name"]})
    return {"statusCode": 201}
'''),
    shape(PY, "py-work-filter-items", "work", '''
import json
import os

import boto3

sfn = boto3.client("stepfunctions")


def handler(event, context):
    order = json.loads(event["body"])
    items = [i for i in order["items"] if i["quantity"] > 0]
    sfn.start_execution(
        stateMachineArn=os.environ["STATE_MACHINE_ARN"],
        input=json.dumps({"orderId": order["id"], "items": items}),
    )
    return {"statusCode": 202}
'''),
    shape(PY, "py-work-http-enrich", "work", '''
import json
import os

import boto3
import requests

kinesis = boto3.client("kinesis")


def handler(event, context):
    body = json.loads(event["body"])
    rates = requests.get(os.environ["RATES_URL"], timeout=5).json()
    body["rate"] = rates["EUR"]
    kinesis.put_record(
        StreamName=os.environ["STREAM_NAME"], Data=json.dumps(body), PartitionKey=body["id"]
    )
'''),
    shape(PY, "py-work-hash", "work", '''
import hashlib
import os

import boto3

ddb = boto3.client("dynamodb")


def handler(event, context):
    digest = hashlib.sha256(event["body"].encode("utf-8")).hexdigest()
    ddb.put_item(TableName=os.environ["TABLE"], Item={"pk": {"S": digest}})
    return {"statusCode": 201}
'''),
    shape(PY, "py-work-count", "work", '''
import json
import os

import boto3

sns = boto3.client("sns")


def handler(event, context):
    records = event["Records"]
    summary = {"count": len(records), "first": records[0]["messageId"]}
    sns.publish(TopicArn=os.environ["TOPIC_ARN"], Message=json.dumps(summary))
'''),
    shape(PY, "py-work-sort-items", "work", '''
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    body = json.loads(event["body"])
    ranked = sorted(body["scores"], key=lambda s: s["points"], reverse=True)
    table.put_item(Item={"id": body["id"], "top": ranked[0]})
'''),
    shape(PY, "py-work-date-window", "work", '''
import json
import os
from datetime import datetime, timedelta

import boto3

sfn = boto3.client("stepfunctions")


def handler(event, context):
    booking = json.loads(event["body"])
    start = datetime.fromisoformat(booking["start"])
    booking["end"] = (start + timedelta(hours=booking["hours"])).isoformat()
    sfn.start_execution(stateMachineArn=os.environ["STATE_MACHINE_ARN"], input=json.dumps(booking))
'''),
    shape(PY, "py-work-method-switch", "work", '''
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    key = {"id": event["pathParameters"]["id"]}
    if event["httpMethod"] == "DELETE":
        table.delete_item(Key=key)
    else:
        table.put_item(Item={**key, **json.loads(event["body"])})
    return {"statusCode": 204}
'''),
    shape(PY, "py-work-join-tags", "work", '''
import json
import os

import boto3

sns = boto3.client("sns")


def handler(event, context):
    body = json.loads(event["body"])
    tags = ",".join(sorted(body["tags"]))
    sns.publish(TopicArn=os.environ["TOPIC_ARN"], Message=tags)
'''),
    # ---------------------------------------------------------------- Node.js, forwarding
    shape(ESM, "js-fwd-command-const-sqs", "forward", '''
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const client = new SQSClient({});

export const handler = async (event) => {
  const body = event.body;
  const command = new SendMessageCommand({
    QueueUrl: process.env.QUEUE_URL,
    MessageBody: body,
  });
  await client.send(command);
  return { statusCode: 202, body: "" };
};
'''),
    shape(ESM, "js-fwd-json-sns", "forward", '''
import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";

const sns = new SNSClient({ region: process.env.AWS_REGION });

export async function handler(event) {
  const payload = JSON.parse(event.body);
  const out = await sns.send(
    new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: JSON.stringify(payload) })
  );
  return { statusCode: 200, body: JSON.stringify({ id: out.MessageId }) };
}
'''),
    shape(CJS, "js-fwd-console-eventbridge-cjs", "forward", '''
const { EventBridgeClient, PutEventsCommand } = require("@aws-sdk/client-eventbridge");

const eb = new EventBridgeClient();

exports.handler = async (event, context) => {
  console.log("event", JSON.stringify(event));
  console.info(`request ${context.awsRequestId}`);
  const params = {
    Entries: [
      {
        Source: "app.orders",
        DetailType: "OrderCreated",
        Detail: JSON.stringify(event.detail),
        EventBusName: process.env.BUS_NAME,
      },
    ],
  };
  const result = await eb.send(new PutEventsCommand(params));
  console.log("result", result);
  return { statusCode: 202 };
};
'''),
    shape(ESM, "js-fwd-try-rethrow-doc", "forward", '''
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event) => {
  const item = JSON.parse(event.body);
  try {
    await doc.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: item }));
  } catch (err) {
    console.error("put failed", err);
    throw err;
  }
  return { statusCode: 201, body: JSON.stringify({ ok: true }) };
};
'''),
    shape(CJS, "js-fwd-v2-sqs-promise", "forward", '''
const AWS = require("aws-sdk");

const sqs = new AWS.SQS();

exports.handler = async (event) => {
  const params = {
    QueueUrl: process.env.QUEUE_URL,
    MessageBody: JSON.stringify(event),
  };
  await sqs.sendMessage(params).promise();
  return { statusCode: 202 };
};
'''),
    shape(CJS, "js-fwd-v2-docclient-callback", "forward", '''
const AWS = require("aws-sdk");

const docClient = new AWS.DynamoDB.DocumentClient();

exports.handler = (event, context, callback) => {
  const params = {
    TableName: process.env.TABLE_NAME,
    Item: { id: context.awsRequestId, ...JSON.parse(event.body) },
  };
  docClient.put(params, (err) => {
    if (err) {
      callback(err);
      return;
    }
    callback(null, { statusCode: 201 });
  });
};
'''),
    shape(ESM, "js-fwd-spread-env-stepfunctions", "forward", '''
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";

const sfn = new SFNClient({});
const { STATE_MACHINE_ARN, STAGE = "dev" } = process.env;

export const handler = async (event) => {
  const input = { ...event, stage: STAGE, receivedAt: new Date().toISOString() };
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, input: JSON.stringify(input) })
  );
  return { statusCode: 200, body: JSON.stringify({ executionArn }) };
};
'''),
    shape(ESM, "js-fwd-powertools-kinesis", "forward", '''
import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { Logger } from "@aws-lambda-powertools/logger";

const logger = new Logger({ serviceName: "ingest" });
const kinesis = new KinesisClient({});
const ACCEPTED = { statusCode: 202, body: JSON.stringify({ accepted: true }) };

export const handler = async (event, context) => {
  logger.addContext(context);
  logger.info("forwarding", { size: event.body?.length });
  await kinesis.send(
    new PutRecordCommand({
      StreamName: process.env.STREAM_NAME,
      PartitionKey: context.awsRequestId,
      Data: Buffer.from(event.body),
    })
  );
  return ACCEPTED;
};
'''),
    shape(CJS, "js-fwd-v2-sns-helper", "forward", '''
const AWS = require("aws-sdk");

const sns = new AWS.SNS({ apiVersion: "2010-03-31" });

const publish = (message) =>
  sns.publish({ TopicArn: process.env.TOPIC_ARN, Message: JSON.stringify(message) }).promise();

exports.handler = async (event) => {
  await publish(event.detail);
  return { statusCode: 200 };
};
'''),
    shape(ESM, "js-fwd-destructure-firehose", "forward", '''
import { FirehoseClient, PutRecordCommand } from "@aws-sdk/client-firehose";

const firehose = new FirehoseClient({});

export const handler = async function (event) {
  const { detail } = event;
  const record = { Data: new TextEncoder().encode(JSON.stringify(detail)) };
  await firehose.send(new PutRecordCommand({ DeliveryStreamName: process.env.STREAM, Record: record }));
  return { statusCode: 202 };
};
'''),
    shape(CJS, "js-fwd-v2-events-try", "forward", '''
const AWS = require("aws-sdk");

const eventbridge = new AWS.EventBridge();

exports.handler = async (event) => {
  console.log(JSON.stringify(event, null, 2));
  try {
    const result = await eventbridge
      .putEvents({
        Entries: [
          { EventBusName: process.env.EVENT_BUS, Source: "custom.checkout", DetailType: "Checkout", Detail: event.body },
        ],
      })
      .promise();
    console.log("PutEvents result", result);
  } catch (error) {
    console.error(error);
    throw error;
  }
  return { statusCode: 200, body: JSON.stringify({ message: "sent" }) };
};
'''),
    shape(ESM, "js-fwd-template-literal-sqs", "forward", '''
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const sqs = new SQSClient({});
const queueUrl = process.env.QUEUE_URL;

export const handler = async (event, context) => {
  const orderId = event.pathParameters.orderId;
  const input = {
    QueueUrl: queueUrl,
    MessageBody: `order ${orderId} received`,
    MessageAttributes: { requestId: { DataType: "String", StringValue: context.awsRequestId } },
  };
  const response = await sqs.send(new SendMessageCommand(input));
  return { statusCode: 202, body: JSON.stringify({ id: response.MessageId }) };
};
'''),
    shape(ESM, "js-fwd-destructured-param", "forward", '''
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const sqs = new SQSClient({});
const QUEUE_URL = process.env.QUEUE_URL;

export const handler = async ({ body }) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: QUEUE_URL, MessageBody: body }));
  return { statusCode: 202 };
};
'''),
    shape(CJS, "js-fwd-base-params-spread", "forward", '''
const { SNSClient, PublishCommand } = require("@aws-sdk/client-sns");

const sns = new SNSClient({});
const baseParams = { TopicArn: process.env.TOPIC_ARN, Subject: "order-event" };

module.exports.handler = async (event) => {
  const params = { ...baseParams, Message: JSON.stringify(event.detail) };
  const { MessageId } = await sns.send(new PublishCommand(params));
  console.log({ MessageId });
};
'''),
    # ---------------------------------------------------------------- Node.js, real work
    shape(ESM, "js-work-arithmetic", "work", '''
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event) => {
  const order = JSON.parse(event.body);
  const total = order.quantity * order.unitPrice;
  await doc.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: { id: order.id, total } }));
  return { statusCode: 201 };
};
'''),
    shape(ESM, "js-work-switch-on-type", "work", '''
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const sqs = new SQSClient({});

export const handler = async (event) => {
  const msg = JSON.parse(event.body);
  let queueUrl;
  switch (msg.type) {
    case "refund":
      queueUrl = process.env.REFUND_QUEUE_URL;
      break;
    default:
      queueUrl = process.env.ORDER_QUEUE_URL;
  }
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: event.body }));
  return { statusCode: 202 };
};
'''),
    shape(CJS, "js-work-loop-records", "work", '''
const { SNSClient, PublishCommand } = require("@aws-sdk/client-sns");

const sns = new SNSClient({});

exports.handler = async (event) => {
  for (const record of event.Records) {
    await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: record.body }));
  }
};
'''),
    shape(ESM, "js-work-second-read", "work", '''
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const eb = new EventBridgeClient({});

export const handler = async (event) => {
  const { Item } = await doc.send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: { id: event.pathParameters.id } })
  );
  await eb.send(
    new PutEventsCommand({ Entries: [{ Source: "orders", DetailType: "Loaded", Detail: JSON.stringify(Item) }] })
  );
  return { statusCode: 200 };
};
'''),
    shape(ESM, "js-work-validate-reject", "work", '''
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const sqs = new SQSClient({});

export const handler = async (event) => {
  const body = JSON.parse(event.body || "{}");
  if (!body.email) {
    return { statusCode: 400, body: JSON.stringify({ error: "email is required" }) };
  }
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(body) }));
  return { statusCode: 202 };
};
'''),
    shape(ESM, "js-work-filter-map", "work", '''
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";

const sfn = new SFNClient({});

export const handler = async (event) => {
  const order = JSON.parse(event.body);
  const items = order.items.filter((i) => i.quantity > 0).map((i) => ({ sku: i.sku, qty: i.quantity }));
  await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: process.env.STATE_MACHINE_ARN,
      input: JSON.stringify({ orderId: order.id, items }),
    })
  );
  return { statusCode: 202 };
};
'''),
    shape(CJS, "js-work-normalise-v2", "work", '''
const AWS = require("aws-sdk");

const docClient = new AWS.DynamoDB.DocumentClient();

exports.handler = async (event) => {
  const body = JSON.parse(event.body);
  const email = body.email.trim().toLowerCase();
  await docClient.put({ TableName: process.env.TABLE_NAME, Item: { email, name: body.name } }).promise();
  return { statusCode: 201 };
};
'''),
    shape(ESM, "js-work-fetch-enrich", "work", '''
import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";

const kinesis = new KinesisClient({});

export const handler = async (event) => {
  const body = JSON.parse(event.body);
  const res = await fetch(process.env.RATES_URL, { signal: AbortSignal.timeout(3000) });
  const rates = await res.json();
  const record = { ...body, rate: rates.EUR };
  await kinesis.send(
    new PutRecordCommand({ StreamName: process.env.STREAM_NAME, PartitionKey: body.id, Data: Buffer.from(JSON.stringify(record)) })
  );
};
'''),
    shape(ESM, "js-work-hash", "work", '''
import { createHash } from "node:crypto";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";

const ddb = new DynamoDBClient({});

export const handler = async (event) => {
  const digest = createHash("sha256").update(event.body).digest("hex");
  await ddb.send(new PutItemCommand({ TableName: process.env.TABLE, Item: { pk: { S: digest } } }));
  return { statusCode: 201 };
};
'''),
    shape(CJS, "js-work-ternary-ttl", "work", '''
const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");

const sqs = new SQSClient({});

exports.handler = async (event) => {
  const msg = JSON.parse(event.body);
  const delay = msg.urgent ? 0 : 60;
  await sqs.send(
    new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: event.body, DelaySeconds: delay })
  );
  return { statusCode: 202 };
};
'''),
    shape(ESM, "js-work-reduce-total", "work", '''
import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";

const sns = new SNSClient({});

export const handler = async (event) => {
  const cart = JSON.parse(event.body);
  const total = cart.items.reduce((sum, i) => sum + i.price, 0);
  await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: JSON.stringify({ total }) }));
};
'''),
    shape(CJS, "js-work-date-check", "work", '''
const { SFNClient, StartExecutionCommand } = require("@aws-sdk/client-sfn");

const sfn = new SFNClient({});

exports.handler = async (event) => {
  const booking = JSON.parse(event.body);
  if (new Date(booking.start) < new Date()) {
    return { statusCode: 422, body: "start is in the past" };
  }
  await sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.SM_ARN, input: event.body }));
  return { statusCode: 202 };
};
'''),
    shape(ESM, "js-work-cents", "work", '''
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event) => {
  const payment = JSON.parse(event.body);
  const cents = Math.round(payment.amount * 100);
  await doc.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: { id: payment.id, cents } }));
  return { statusCode: 201 };
};
'''),
    shape(CJS, "js-work-email-domain", "work", '''
const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");

const sqs = new SQSClient({});

exports.handler = async (event) => {
  const { email } = JSON.parse(event.body);
  const domain = email.split("@")[1];
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: domain }));
};
'''),
]
