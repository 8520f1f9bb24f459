import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";

const client = new EventBridgeClient({});

export const handler = async (event) => {
  const detail = JSON.parse(event.body);
  const command = new PutEventsCommand({
    Entries: [{ Source: "orders.api", DetailType: "OrderPlaced", Detail: JSON.stringify(detail) }],
  });
  const result = await client.send(command);
  console.log("sent", result.FailedEntryCount);
  return { statusCode: 202 };
};
