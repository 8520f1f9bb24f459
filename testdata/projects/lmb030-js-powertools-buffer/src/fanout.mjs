import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";

const kinesis = new KinesisClient({});

export const handler = async (event) => {
  for (const message of event.Records) {
    await kinesis.send(
      new PutRecordCommand({ StreamName: process.env.STREAM, PartitionKey: message.messageId, Data: Buffer.from(message.body) }),
    );
  }
};
