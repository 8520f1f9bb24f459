from functools import lru_cache

import boto3

secrets = boto3.client("secretsmanager")


@lru_cache(maxsize=1)
def api_key():
    return secrets.get_secret_value(SecretId="app-key")["SecretString"]


def handler(event, context):
    return {"authorised": event.get("key") == api_key()}
