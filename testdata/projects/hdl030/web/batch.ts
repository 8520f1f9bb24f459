import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

async function save(item: { id: string }): Promise<void> {
  await ddb.send(new PutCommand({ TableName: "items", Item: item }));
}

export const handler = async (event: { items: { id: string }[] }) => {
  event.items.forEach(async (item) => {
    await save(item);
  });
  const audit = save({ id: "audit" });
  save({ id: "last" });
  return { count: event.items.length };
};
