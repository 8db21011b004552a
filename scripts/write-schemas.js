// npm run schemas — writes the JSON Schemas the code uses into schemas/*.json, so tools outside
// JavaScript (editors, other languages' validators) can use them. test/schemas/json-files.test.ts fails
// when a file here no longer matches the code, so the two cannot drift apart.
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { RECORDING_SCHEMA, schemas } from "../dist/index.js";

const dir = fileURLToPath(new URL("../schemas/", import.meta.url));
const write = (name, schema) => writeFile(`${dir}${name}.schema.json`, JSON.stringify(schema, null, 2) + "\n");
for (const [type, schema] of Object.entries(schemas)) await write(type, schema);
await write("recording", RECORDING_SCHEMA);
console.log(`wrote ${Object.keys(schemas).length + 1} schemas to schemas/`);
