import { SecretsManagerClient, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";

const sm = new SecretsManagerClient({});
const secret = JSON.parse(
  (await sm.send(new GetSecretValueCommand({ SecretId: process.env.SECRET_ARN }))).SecretString,
);
// Placeholders and lookups are not credentials.
const defaults = { password: "<your password>", clientSecret: process.env.CLIENT_SECRET, secretName: "prod/web" };

export const handler = async (event) => {
  return { statusCode: 200, body: JSON.stringify({ user: secret.username, d: defaults, e: event.id }) };
};
