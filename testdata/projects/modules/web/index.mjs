import { post } from "./lib/http.js";
import { store } from "./store";

export const handler = async (event) => {
  const body = JSON.parse(event.body);
  if (!body.id) {
    return { statusCode: 400 };
  }
  await post("https://hooks.example.com/received", body);
  await store(body);
  return { statusCode: 200 };
};
