const AWS = require("aws-sdk");

const sns = new AWS.SNS();

exports.handler = async (event) => {
  sns.publish({ TopicArn: "arn:aws:sns:eu-west-1:123456789012:t", Message: "x" }).promise();
  return {};
};
