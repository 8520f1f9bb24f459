import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const ddb = new DynamoDBClient({ region: "eu-west-1" });
const s3 = new S3Client({ requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } });
const sqs = new SQSClient({
  requestHandler: new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 3000 }),
});

export const handler = async (event) => {
  const item = JSON.parse(event.body);
  await ddb.send(new PutItemCommand({ TableName: "items", Item: { id: { S: item.id } } }));
  await s3.send(new PutObjectCommand({ Bucket: "items-archive", Key: item.id, Body: event.body }));
  await sqs.send(new SendMessageCommand({ QueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/items", MessageBody: item.id }));
  return { statusCode: 201 };
};
