import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import pg from "pg";

export const handler = async (event) => {
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  const item = { id: event.id, at: Date.now() };
  await ddb.send(new PutCommand({ TableName: process.env.TABLE, Item: item }));
  await db.end();
  return item;
};
