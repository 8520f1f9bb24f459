import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import axios from "axios";

const sm = new SecretsManagerClient({});
let apiKey: string | undefined;

export async function handler(event: { url: string }): Promise<number> {
  apiKey ??= (await sm.send(new GetSecretValueCommand({ SecretId: "api-key" }))).SecretString;
  const res = await fetch(event.url, { headers: { "x-api-key": apiKey ?? "" }, signal: AbortSignal.timeout(3000) });
  await axios.post("https://hooks.example.com/report", { status: res.status }, { timeout: 3000 });
  return res.status;
}
