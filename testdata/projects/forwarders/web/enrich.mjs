import { SNSClient, PublishCommand } from "@aws-sdk/client-sns";

const sns = new SNSClient({});

export const handler = async (event) => {
  const rates = await fetch("https://rates.example.com/eur", { signal: AbortSignal.timeout(2000) });
  const body = { ...JSON.parse(event.body), rate: (await rates.json()).rate };
  await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC, Message: JSON.stringify(body) }));
  return { statusCode: 202 };
};
