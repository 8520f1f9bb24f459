const generatePolicy = (principalId, effect, resource) => ({
  principalId,
  policyDocument: {
    Version: "2012-10-17",
    Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }],
  },
});

export const handler = async (event) => {
  if (event.headers?.Authorization === "allow") {
    return generatePolicy("user", "Allow", event.methodArn);
  }
  return generatePolicy("user", "Deny", event.methodArn);
};
