export const handler = async (event) => {
  const ok = event.headers?.Authorization === "Bearer ok";
  return {
    principalId: "user",
    policyDocument: {
      Version: "2012-10-17",
      Statement: [{ Action: "execute-api:Invoke", Effect: ok ? "Allow" : "Deny", Resource: event.methodArn }],
    },
  };
};
