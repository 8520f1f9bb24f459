import fs from "node:fs";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const TEMPLATE = fs.readFileSync(path.join(__dirname, "template.html"), "utf8");

export const handler = async (event) => {
  await writeFile(path.join(os.tmpdir(), `${event.id}.html`), TEMPLATE);
  fs.writeFileSync(`/tmp/${event.id}.json`, JSON.stringify(event));
  fs.appendFileSync(path.join("/tmp", "log.txt"), "x");
  return { statusCode: 200 };
};
