import os

import boto3

sts = boto3.client("sts")


def handler(event, context):
    creds = sts.assume_role(RoleArn=os.environ["TARGET_ROLE"], RoleSessionName="job")
    return creds["Credentials"]["Expiration"].isoformat()
