const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");

const sqs = new SQSClient({});

// Callback style: the work finishes in `.then` before the callback; not checked.
exports.handler = function (event, context, callback) {
  sqs
    .send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: "x" }))
    .then(() => callback(null, { ok: true }))
    .catch(callback);
};
