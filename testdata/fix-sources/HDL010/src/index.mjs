export const handler = async (event) => {
  const r = await fetch("https://example.com/x");
  const s = await fetch("https://example.com/y", {
    method: "POST", // send
    body: JSON.stringify(event),
  });
  return [r.status, s.status];
};
