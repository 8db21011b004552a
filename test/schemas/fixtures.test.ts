import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { schemas } from "../../src/schemas/index.js";
import { CALLBACK_TYPES } from "../../src/schemas/types.js";
import { validateCallback } from "../../src/validate/validate.js";

const fixturesDir = new URL("../../fixtures/", import.meta.url);
const invalidDir = new URL("invalid/", fixturesDir);
const readJson = (url: URL): unknown => JSON.parse(readFileSync(url, "utf8"));

const validFiles = readdirSync(fixturesDir).filter((f) => f.endsWith(".json"));
const invalidFiles = readdirSync(invalidDir).filter((f) => f.endsWith(".json"));
// Kept beside the test, not in fixtures/invalid/, so `validate fixtures/invalid/*.json` sees only payloads.
const rules = readJson(new URL("./invalid-rules.json", import.meta.url)) as Record<string, { pointer: string; keyword: string; rule: string }>;

// Crockford base32 without I, L, O, U; a leading 0-7 keeps the 48-bit time in range.
const ULID_LIKE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

describe("fixtures/*.json", () => {
  it("has a sample for each of the seven callback types", () => {
    for (const type of CALLBACK_TYPES) expect(validFiles).toContain(`${type}.json`);
  });

  it.each(validFiles)("%s validates with no errors and no warnings", (file) => {
    const payload = readJson(new URL(file, fixturesDir)) as Record<string, unknown>;
    const result = validateCallback(payload);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.knownType).toBe(true);
    expect(file.startsWith(`${String(payload.type)}.`)).toBe(true);
  });

  it.each(validFiles)("%s uses obviously fake, ULID-like ids and 555-01xx numbers", (file) => {
    const text = readFileSync(new URL(file, fixturesDir), "utf8");
    const payload = JSON.parse(text) as Record<string, unknown>;
    for (const key of ["id", "batch_id"]) {
      if (key in payload) expect(payload[key]).toMatch(ULID_LIKE);
    }
    for (const number of text.match(/"\+?1\d{10}"/g) ?? []) expect(number).toMatch(/^"\+?1555010\d{4}"$/);
  });

  it.each(validFiles)("%s is pretty-printed with 2 spaces and a trailing newline", (file) => {
    const text = readFileSync(new URL(file, fixturesDir), "utf8");
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });

  it("summary reports carry no recipients and full reports do", () => {
    for (const type of ["delivery_report_sms", "delivery_report_mms"]) {
      const summary = readJson(new URL(`${type}.json`, fixturesDir)) as { statuses: Record<string, unknown>[] };
      const full = readJson(new URL(`${type}.full.json`, fixturesDir)) as { statuses: { count: number; recipients: string[] }[] };
      expect(summary.statuses.every((s) => !("recipients" in s))).toBe(true);
      for (const s of full.statuses) expect(s.recipients).toHaveLength(s.count);
    }
  });
});

describe("fixtures/invalid/*.json", () => {
  it("lists every invalid file in invalid-rules.json, and nothing else", () => {
    expect(new Set(Object.keys(rules))).toEqual(new Set(invalidFiles));
    expect(Object.keys(rules)).toHaveLength(invalidFiles.length);
  });

  it("covers every callback type", () => {
    for (const type of CALLBACK_TYPES) expect(invalidFiles.some((f) => f.startsWith(`${type}.`))).toBe(true);
  });

  it.each(invalidFiles)("%s fails on exactly the rule invalid-rules.json states", (file) => {
    const rule = rules[file];
    expect(rule, `${file} is missing from invalid-rules.json`).toBeDefined();
    const result = validateCallback(readJson(new URL(file, invalidDir)));
    expect(result.ok).toBe(false);
    expect(result.errors.map(({ pointer, keyword }) => ({ pointer, keyword }))).toEqual([{ pointer: rule!.pointer, keyword: rule!.keyword }]);
    expect(result.warnings).toEqual([]);
  });
});

describe("schemas", () => {
  it.each(CALLBACK_TYPES)("%s is a draft-07 schema with an $id, a title and a described field per property", (type) => {
    const schema = schemas[type];
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.$id).toBe(`https://sinch-hooks.dev/schemas/${type}.json`);
    expect(schema.title).toBe(type);
    expect(schema.properties?.type?.const).toBe(type);
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      expect(property.description, `${type}.${name}`).toEqual(expect.any(String));
    }
  });

  it("survives a JSON round trip, so it can be published as a .json file", () => {
    expect(JSON.parse(JSON.stringify(schemas))).toEqual(schemas);
  });
});
