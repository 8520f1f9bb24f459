const AWS = require("aws-sdk");

const sns = new AWS.SNS();

function announce(change) {
  return sns
    .publish({ TopicArn: process.env.CHANGES, Message: JSON.stringify(change), Subject: "profile" })
    .promise();
}

exports.handler = async (event) => {
  await announce(event.detail);
  return { done: true };
};
