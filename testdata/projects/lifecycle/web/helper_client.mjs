import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";

const makeClient = () => new S3Client({});

export const handler = async (event) => {
  const s3 = makeClient();
  const sizes = [];
  for (const record of event.Records) {
    const object = await s3.send(new GetObjectCommand({ Bucket: "assets", Key: record.key }));
    sizes.push(object.ContentLength);
  }
  return sizes;
};
