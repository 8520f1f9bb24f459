import { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { Signer } from "@aws-sdk/rds-signer";
import { SignatureV4 } from "@aws-sdk/signature-v4";
import { HttpRequest } from "@aws-sdk/protocol-http";
import { Sha256 } from "@aws-crypto/sha256-js";

const s3 = new S3Client({});
const lambda = new LambdaClient({});
const bedrock = new BedrockRuntimeClient({});
const sts = new STSClient({});

export const handler = async (event) => {
  const upload = new Upload({ client: s3, params: { Bucket: process.env.BUCKET, Key: event.key, Body: event.body } });
  await upload.done();
  const who = await sts.send(new GetCallerIdentityCommand({}));
  const answer = await bedrock.send(new ConverseCommand({ modelId: "m", messages: [] }));
  await lambda.send(new InvokeCommand({ FunctionName: "worker", Payload: JSON.stringify(answer) }));
  const signer = new Signer({ hostname: "db", port: 5432, username: "app" });
  const token = await signer.getAuthToken();
  const sigv4 = new SignatureV4({ service: "appsync", region: "eu-west-1", credentials: {}, sha256: Sha256 });
  const signed = await sigv4.sign(new HttpRequest({ method: "POST", hostname: "api", path: "/graphql" }));
  const res = await fetch("https://api/graphql", { ...signed, signal: AbortSignal.timeout(3000) });
  return { account: who.Account, token: token.length, status: res.status };
};
