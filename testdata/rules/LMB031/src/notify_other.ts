import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";
import type { SNSEvent } from "aws-lambda";

const sns = new SNSClient({});
const TOPIC_ARN = process.env.TOPIC_ARN;

export const handler = async (event: SNSEvent): Promise<void> => {
  const message = event.Records[0].Sns.Message;
  await sns.send(new PublishCommand({ TopicArn: TOPIC_ARN, Message: `seen: ${message}` }));
};
