import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";

export const handler = async () => {
  const s3 = new S3Client({});
  return s3.send(new GetObjectCommand({ Bucket: process.env.BUCKET, Key: "report.csv" }));
};
