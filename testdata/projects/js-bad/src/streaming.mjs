import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";

export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const ddb = new DynamoDBClient({});
  const item = await ddb.send(new GetItemCommand({ TableName: process.env.TABLE, Key: { id: { S: event.id } } }));
  responseStream.write(JSON.stringify(item.Item));
  responseStream.end();
});
