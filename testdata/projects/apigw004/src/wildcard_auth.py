def handler(event, context):
    arn = event["methodArn"].split("/")
    resource = f"{arn[0]}/{arn[1]}/*/*"
    return {
        "principalId": "user",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resource}],
        },
    }
