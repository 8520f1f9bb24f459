const generatePolicy = (principalId, effect, resource) => ({
  principalId,
  policyDocument: {
    Version: "2012-10-17",
    Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }],
  },
});

export const handler = async (event) => {
  const [api, stage] = event.methodArn.split("/");
  return generatePolicy("user", "Allow", `${api}/${stage}/*/*`);
};
