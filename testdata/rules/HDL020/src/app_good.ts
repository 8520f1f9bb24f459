import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";

const sns = new SNSClient({});
const topic = process.env.TOPIC_ARN ?? "";

export const handler = async (event: { id: string }): Promise<void> => {
  if (!topic) return;
  await sns.send(new PublishCommand({ TopicArn: topic, Message: event.id }));
};
