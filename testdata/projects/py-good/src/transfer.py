import json
import os

import boto3

lambda_client = boto3.client("lambda")
s3 = boto3.client("s3")
sts = boto3.client("sts")
pinpoint = boto3.client("pinpoint")
bedrock = boto3.client("bedrock-runtime")
rds = boto3.client("rds")
ACCOUNT = sts.get_caller_identity()["Account"]


def handler(event, context):
    s3.download_file(os.environ["BUCKET"], event["key"], "/tmp/in")
    s3.upload_file("/tmp/in", os.environ["BUCKET"], event["key"] + ".copy")
    number = pinpoint.phone_number_validate(NumberValidateRequest={"PhoneNumber": event["phone"]})
    pinpoint.send_messages(ApplicationId="app", MessageRequest={"Addresses": {}})
    answer = bedrock.converse(modelId="m", messages=[{"role": "user", "content": [{"text": "hi"}]}])
    stream = bedrock.converse_stream(modelId="m", messages=[])
    token = rds.generate_db_auth_token(DBHostname="db", Port=5432, DBUsername="app")
    lambda_client.invoke(FunctionName="worker", Payload=json.dumps({"n": number, "a": answer}))
    return {"account": ACCOUNT, "stream": bool(stream), "token": bool(token)}
