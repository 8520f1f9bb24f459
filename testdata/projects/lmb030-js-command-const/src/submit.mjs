import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const sqs = new SQSClient({});
const { JOBS_URL } = process.env;

export const handler = async (event) => {
  const job = event.body;
  const cmd = new SendMessageCommand({ QueueUrl: JOBS_URL, MessageBody: job });
  const sent = await sqs.send(cmd);
  return { statusCode: 202, body: JSON.stringify({ job: sent.MessageId }) };
};
