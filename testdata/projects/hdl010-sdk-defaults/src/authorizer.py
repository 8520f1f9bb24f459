import boto3

ssm = boto3.client("ssm")


def handler(event, context):
    key = ssm.get_parameter(Name="/orders/api-key")["Parameter"]["Value"]
    effect = "Allow" if event.get("authorizationToken") == key else "Deny"
    return {
        "principalId": "caller",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": "*"}],
        },
    }
