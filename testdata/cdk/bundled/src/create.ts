import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { orderId } from "./ids";

export const handler = async (event: { body: string }) => {
  const ddb = new DynamoDBClient({});
  await ddb.send(new PutItemCommand({ TableName: process.env.TABLE, Item: { id: { S: orderId(event.body) } } }));
  return { statusCode: 201 };
};
