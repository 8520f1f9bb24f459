import boto3

secrets = boto3.client("secretsmanager")


def api_key():
    return secrets.get_secret_value(SecretId="app-key")["SecretString"]


def handler(event, context):
    return {"authorised": event.get("key") == api_key()}
