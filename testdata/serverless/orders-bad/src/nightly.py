def main(event, context):
    print("nightly run", event.get("time"))
