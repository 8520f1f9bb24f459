import axios from "axios";

export const handler = async (event) => {
  await fetch("https://hooks.example.com/a", { method: "POST", signal: AbortSignal.timeout(15000) });
  await axios.post("https://hooks.example.com/b", event, { timeout: 2000 });
  await axios.post("https://hooks.example.com/c", event, { timeout: 10000 });
  return { statusCode: 200 };
};
