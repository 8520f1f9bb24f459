import jwt from "jsonwebtoken";

const PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj
MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu
-----END PRIVATE KEY-----`;

const config = { clientId: "web", clientSecret: "9f8e7d6c5b4a39281706aa" };

export const handler = async (event) => {
  const token = jwt.sign({ sub: event.sub, client: config.clientId }, PRIVATE_KEY, { algorithm: "RS256" });
  return { statusCode: 200, body: token };
};
