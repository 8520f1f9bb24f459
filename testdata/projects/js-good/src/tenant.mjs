import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";

export const handler = async (event) => {
  const auth = event.requestContext.authorizer;
  const client = new DynamoDBClient({
    credentials: { accessKeyId: auth.accessKey, secretAccessKey: auth.secretKey, sessionToken: auth.sessionToken },
  });
  const ddb = DynamoDBDocumentClient.from(client);
  const data = await ddb.send(new GetCommand({ TableName: process.env.TABLE, Key: { pk: `T#${auth.tenantId}#${event.id}` } }));
  return { statusCode: 200, body: JSON.stringify(data.Item ?? {}) };
};
