const { EventBridgeClient, PutEventsCommand } = require("@aws-sdk/client-eventbridge");

const events = new EventBridgeClient({});

exports.handler = async (event) => {
  await events.send(new PutEventsCommand({ Entries: [{ Detail: JSON.stringify(event), Source: "orders", DetailType: "order" }] }));
};
