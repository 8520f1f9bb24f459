import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";

const sfn = new SFNClient({});

export const handler = async (event) => {
  try {
    await sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.MACHINE, input: event.body }));
  } catch (err) {
    console.error(err);
    throw err;
  }
  return { statusCode: 202 };
};
