import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";

const shared = new DynamoDBClient({});

export async function store(body) {
  const client = new DynamoDBClient({});
  await client.send(new PutItemCommand({ TableName: process.env.TABLE, Item: { id: { S: body.id } } }));
}

export async function storeShared(body) {
  await shared.send(new PutItemCommand({ TableName: process.env.TABLE, Item: { id: { S: body.id } } }));
}
