import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";

const sns = new SNSClient({});

export const handler = async (event: { id: string }): Promise<void> => {
  await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: event.id }));
};
