import { SQSClient, SendMessageBatchCommand } from "@aws-sdk/client-sqs";

const sqs = new SQSClient({});

export const handler = async (event) => {
  const entries = event.Records.map((r, i) => ({ Id: String(i), MessageBody: r.body }));
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: process.env.QUEUE_URL, Entries: entries }));
};
