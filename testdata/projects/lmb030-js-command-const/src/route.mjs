import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const sqs = new SQSClient({});

export const handler = async (event) => {
  const job = JSON.parse(event.body);
  let group;
  switch (job.kind) {
    case "video":
      group = "heavy";
      break;
    default:
      group = "light";
  }
  const cmd = new SendMessageCommand({ QueueUrl: process.env.JOBS_URL, MessageBody: event.body, MessageGroupId: group });
  await sqs.send(cmd);
  return { statusCode: 202 };
};
