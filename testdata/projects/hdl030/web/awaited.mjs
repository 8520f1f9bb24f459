import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const sqs = new SQSClient({});

async function send(body) {
  return sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: body }));
}

export const handler = async (event) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: "a" }));
  const pending = event.items.map((i) => send(i));
  const first = send("first");
  await Promise.all([...pending, first]);
  const settled = [send("b"), send("c")];
  await Promise.allSettled(settled);
  void send("fire-and-forget, on purpose");
  for (const i of event.items) {
    await send(i);
  }
  return send("last");
};
