const AWS = require("aws-sdk");

const db = new AWS.DynamoDB.DocumentClient();

exports.handler = function (event, context, callback) {
  const params = { TableName: process.env.PROFILES, Item: JSON.parse(event.body) };
  db.put(params, function (err, data) {
    if (err) {
      console.error(err);
      return callback(err);
    }
    callback(null, { statusCode: 200, body: "{}" });
  });
};
