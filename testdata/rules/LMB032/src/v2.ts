import { Lambda } from "aws-sdk";

const lambda = new Lambda();

export const handler = async (event: { id: string }) => {
  const res = await lambda.invoke({ FunctionName: "orders-worker", Payload: JSON.stringify(event) }).promise();
  return JSON.parse(res.Payload as string);
};
