import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RECORDING_SCHEMA } from "../../src/listen/recording.js";
import { schemas } from "../../src/schemas/index.js";
import { CALLBACK_TYPES } from "../../src/schemas/types.js";

const dir = new URL("../../schemas/", import.meta.url);
const read = (name: string): unknown => JSON.parse(readFileSync(new URL(`${name}.schema.json`, dir), "utf8"));

describe("schemas/*.schema.json (published copies of the schemas in code)", () => {
  it("has exactly one file per callback type plus the recording format", () => {
    expect(readdirSync(dir).toSorted()).toEqual([...CALLBACK_TYPES.map((t) => `${t}.schema.json`), "recording.schema.json"].toSorted());
  });
  it.each(CALLBACK_TYPES)("%s matches the code (run `npm run schemas` after changing a schema)", (type) => {
    expect(read(type)).toEqual(JSON.parse(JSON.stringify(schemas[type])));
  });
  it("recording matches RECORDING_SCHEMA", () => {
    expect(read("recording")).toEqual(JSON.parse(JSON.stringify(RECORDING_SCHEMA)));
  });
});
