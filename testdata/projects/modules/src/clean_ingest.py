from common.pool import save_pooled
from utils import fetch_json_with_timeout


def handler(event, context):
    data = fetch_json_with_timeout(event["url"])
    save_pooled(data)
    return {"ok": True}
