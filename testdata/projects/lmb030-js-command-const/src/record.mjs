import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export async function handler(event, context) {
  const put = new PutCommand({
    TableName: process.env.LEDGER,
    Item: { id: context.awsRequestId, ...event.detail },
  });
  try {
    await ddb.send(put);
  } catch (e) {
    console.error("ledger write failed", e);
    throw e;
  }
}
