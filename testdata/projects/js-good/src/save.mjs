import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import pg from "pg";

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const db = new pg.Client({ connectionString: process.env.DATABASE_URL });

export const handler = async (event) => {
  const items = [];
  for (const order of event.orders) {
    const item = { id: order.id, total: order.qty * order.price };
    await ddb.send(new PutCommand({ TableName: process.env.TABLE, Item: item }));
    items.push(item);
  }
  return items;
};
