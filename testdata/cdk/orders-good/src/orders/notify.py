def main(event, context):
    for record in event.get("Records", []):
        print(record["Sns"]["Message"])
