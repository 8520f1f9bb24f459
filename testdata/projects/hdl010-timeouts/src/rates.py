import requests


def handler(event, context):
    rates = requests.get("https://rates.example.com/eur", timeout=30).json()
    fees = requests.get("https://fees.example.com/eur", timeout=(3, 15)).json()
    quick = requests.get("https://quick.example.com/eur", timeout=5).json()
    return {"rates": rates, "fees": fees, "quick": quick}
