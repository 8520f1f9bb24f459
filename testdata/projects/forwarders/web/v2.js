const AWS = require("aws-sdk");

const sqs = new AWS.SQS();

exports.handler = async (event) => {
  const params = { QueueUrl: process.env.QUEUE_URL, MessageBody: event.body };
  await sqs.sendMessage(params).promise();
  return { statusCode: 202 };
};
