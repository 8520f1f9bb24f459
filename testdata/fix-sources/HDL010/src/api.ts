export const handler = async (event: unknown): Promise<number> => {
  const opts = { method: "GET" };
  const r = await fetch("https://example.com/x", {});
  const s = await fetch("https://example.com/y", opts);
  return r.status + s.status;
};
