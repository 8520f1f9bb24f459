import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import mysql from "mysql2/promise";

const ddb = new DynamoDBClient({});
const pool = mysql.createPool({ host: process.env.DB_HOST, user: "app" });

export const handler = async (event) => {
  const body = JSON.parse(event.body);
  await pool.query("INSERT INTO audit (id) VALUES (?)", [body.id]);
  await ddb.send(new PutItemCommand({ TableName: process.env.TABLE_NAME, Item: { id: { S: body.id } } }));
  return { statusCode: 201 };
};
