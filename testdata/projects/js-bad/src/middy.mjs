import middy from "@middy/core";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";

const main = async (event) => {
  const ddb = new DynamoDBClient({});
  const item = await ddb.send(new GetItemCommand({ TableName: process.env.TABLE, Key: { id: { S: event.id } } }));
  return item.Item;
};

export const handler = middy(main).use({ before: async () => {} });
