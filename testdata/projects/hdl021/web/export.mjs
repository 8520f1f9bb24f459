import fs from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";

export const handler = async (event) => {
  fs.mkdirSync(path.join(__dirname, "exports"), { recursive: true });
  await writeFile(`exports/${event.id}.json`, JSON.stringify(event));
  const log = fs.createWriteStream("/var/log/export.log", { flags: "a" });
  log.end("done");
  return { statusCode: 200 };
};
