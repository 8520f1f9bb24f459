import urllib.request

import requests


def handler(event, context):
    # a one-line call
    r = requests.get("https://example.com/x", headers={"a": "b"})
    s = requests.post(
        "https://example.com/y",
        json=event,  # the body
    )
    with urllib.request.urlopen("https://example.com/z") as u:
        body = u.read()
    t = requests.get("https://example.com/t", timeout=2)
    return r.status_code, s.status_code, body, t
