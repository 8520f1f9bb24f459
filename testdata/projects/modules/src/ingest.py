from common import save
from utils import fetch_json


def handler(event, context):
    data = fetch_json(event["url"])
    save(data)
    return {"ok": True}
