import boto3

ddb = boto3.client("dynamodb")


def load_order(order_id):
    item = ddb.get_item(TableName="orders", Key={"id": {"S": order_id}})
    return {"id": order_id, "key": item["Item"]["key"]["S"]}
