const AWS = require("aws-sdk");

const db = new AWS.DynamoDB.DocumentClient();

exports.handler = async (event) => {
  const profile = JSON.parse(event.body);
  const handle = profile.handle.trim().toLowerCase();
  await db.put({ TableName: process.env.PROFILES, Item: { id: handle, name: profile.name } }).promise();
  return { statusCode: 200 };
};
