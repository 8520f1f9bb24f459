import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import axios from "axios";

const sm = new SecretsManagerClient({});

export async function handler(event: { url: string }): Promise<number> {
  const secret = await sm.send(new GetSecretValueCommand({ SecretId: "api-key" }));
  const res = await fetch(event.url, { headers: { "x-api-key": secret.SecretString ?? "" } });
  await axios.post("https://hooks.example.com/report", { status: res.status });
  return res.status;
}
