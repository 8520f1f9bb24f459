import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";

let ddb;
let raw;
const CONFIG_URL = `http://localhost:2772/applications/app/environments/prod/configurations/flags`;

export const handler = async (event) => {
  raw ??= new DynamoDBClient({});
  if (!ddb) {
    ddb = DynamoDBDocumentClient.from(raw);
  }
  const { domainName, stage, connectionId } = event.requestContext;
  const apigw = new ApiGatewayManagementApiClient({ endpoint: `https://${domainName}/${stage}` });
  const flags = await (await fetch(CONFIG_URL)).json();
  const item = await ddb.send(new GetCommand({ TableName: process.env.TABLE, Key: { id: connectionId } }));
  await apigw.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: JSON.stringify({ item, flags }) }));
  return { statusCode: 200 };
};
