def main(event, context):
    print(event)
