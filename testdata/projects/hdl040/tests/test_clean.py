# Test files are not deployed code: never scanned.
FAKE_PASSWORD = "hunter2hunter2"
