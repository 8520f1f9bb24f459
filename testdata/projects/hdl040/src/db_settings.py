DB_PASSWORD = "Tr0ub4dor&3"


def connect_args():
    return {"host": "db.internal", "user": "app", "password": DB_PASSWORD}
