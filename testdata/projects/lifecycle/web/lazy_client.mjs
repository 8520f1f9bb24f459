import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";

let s3;

export const handler = async (event) => {
  s3 ??= new S3Client({});
  const sizes = [];
  for (const record of event.Records) {
    const object = await s3.send(new GetObjectCommand({ Bucket: "assets", Key: record.key }));
    sizes.push(object.ContentLength);
  }
  return sizes;
};
