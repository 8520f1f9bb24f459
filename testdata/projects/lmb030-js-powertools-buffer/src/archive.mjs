import { FirehoseClient, PutRecordCommand } from "@aws-sdk/client-firehose";

const firehose = new FirehoseClient({});
const encoder = new TextEncoder();

export const handler = async (event) => {
  const { detail } = event;
  await firehose.send(
    new PutRecordCommand({
      DeliveryStreamName: process.env.ARCHIVE,
      Record: { Data: encoder.encode(JSON.stringify(detail) + "\n") },
    }),
  );
};
