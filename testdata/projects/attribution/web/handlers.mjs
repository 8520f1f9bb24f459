import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, DeleteCommand } from "@aws-sdk/lib-dynamodb";
import axios from "axios";

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

async function notify(id) {
  await axios.post("https://hooks.example.com/created", { id });
}

export const create = async (event) => {
  const item = JSON.parse(event.body);
  if (!item.id) {
    return { statusCode: 400 };
  }
  await ddb.send(new PutCommand({ TableName: process.env.TABLE, Item: item }));
  await notify(item.id);
  return { statusCode: 201 };
};

export const remove = async (event) => {
  const id = event.pathParameters?.id;
  if (!id) {
    return { statusCode: 400 };
  }
  await ddb.send(new DeleteCommand({ TableName: process.env.TABLE, Key: { id } }));
  return { statusCode: 204 };
};
