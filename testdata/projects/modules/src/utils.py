import requests


def fetch_json(url):
    return requests.get(url).json()


def fetch_json_with_timeout(url):
    return requests.get(url, timeout=3).json()
