import type { ErrorObject } from "ajv";
import { describe, expect, it } from "vitest";
import { BASE64_PATTERN, HEX_PATTERN, MSISDN_PATTERN } from "../../src/schemas/common.js";
import { describeError, describeErrors, displayPointer, escapePointerSegment } from "../../src/validate/describe-errors.js";

const err = (keyword: string, instancePath: string, params: Record<string, unknown>, extra: Partial<ErrorObject> = {}): ErrorObject => ({
  keyword,
  instancePath,
  schemaPath: `#/${keyword}`,
  params,
  ...extra,
});

const sentence = (e: ErrorObject) => describeError(e).message;

describe("describeError", () => {
  it.each([
    [err("minimum", "/statuses/0/count", { comparison: ">=", limit: 1 }), "/statuses/0/count must be >= 1"],
    [err("maximum", "/total_message_count", { comparison: "<=", limit: 2147483647 }), "/total_message_count must be <= 2147483647"],
    [err("exclusiveMinimum", "/n", { comparison: ">", limit: 0 }), "/n must be > 0"],
    [err("exclusiveMaximum", "/n", { comparison: "<", limit: 9 }), "/n must be < 9"],
    [err("maxLength", "/body", { limit: 2000 }), "/body must be at most 2000 characters"],
    [err("minLength", "/body", { limit: 1 }), "/body must be at least 1 characters"],
    [err("minItems", "/statuses", { limit: 1 }), "/statuses must have at least 1 items"],
    [err("maxItems", "/statuses", { limit: 3 }), "/statuses must have at most 3 items"],
    [err("pattern", "/udh", { pattern: HEX_PATTERN }), "/udh must be hex digits (an even number of 0-9, A-F)"],
    [err("pattern", "/body", { pattern: BASE64_PATTERN }), "/body must be Base64 (A-Z, a-z, 0-9, +, / with = padding)"],
    [err("pattern", "/from", { pattern: MSISDN_PATTERN }), "/from must be a phone number: up to 15 digits with an optional leading +"],
    [err("pattern", "/x", { pattern: "^a+$" }), "/x must match the pattern ^a+$"],
    [err("format", "/at", { format: "date-time" }), "/at must be an ISO-8601 date-time with a time zone, e.g. 2025-01-13T09:22:00Z or 2025-01-13T09:22:00.386Z"],
    [err("format", "/url", { format: "uri" }), "/url must be a valid uri"],
    [err("enum", "/status", { allowedValues: ["Uploaded", "Failed"] }), '/status must be one of "Uploaded", "Failed"'],
    [err("const", "/type", { allowedValue: "mo_text" }), '/type must be "mo_text"'],
    [err("uniqueItems", "/statuses/0/recipients", { i: 1, j: 3 }), "/statuses/0/recipients must not contain duplicates (items 1 and 3 are the same)"],
    [err("type", "/code", { type: "integer" }), "/code must be an integer"],
    [err("type", "/code", { type: "integer" }, { data: "0" }), '/code must be an integer (got string "0")'],
    [err("type", "/body", { type: "object" }, { data: null }), "/body must be an object (got null)"],
    [err("type", "/body", { type: "string" }, { data: [1] }), "/body must be a string (got array)"],
    [err("type", "/body", { type: "string" }, { data: "x".repeat(50) }), "/body must be a string (got string)"],
    [err("type", "/n", { type: "string,number" }, { data: true }), "/n must be a string or a number (got boolean)"],
    [err("type", "/n", { type: "integer" }, { data: 2.5 }), "/n must be an integer (got number 2.5)"],
    [err("unknownKeyword", "/n", {}, { message: "must be nice" }), "/n must be nice"],
    [err("unknownKeyword", "/n", {}), "/n fails the unknownKeyword rule"],
  ])("%# → %s", (error, expected) => {
    expect(sentence(error)).toBe(expected);
  });

  it("points a required error at the missing property, not its parent", () => {
    expect(describeError(err("required", "", { missingProperty: "batch_id" }))).toEqual({ pointer: "/batch_id", keyword: "required", message: "/batch_id is required" });
    expect(describeError(err("required", "/body/media/0", { missingProperty: "content_type" }))).toEqual({
      pointer: "/body/media/0/content_type",
      keyword: "required",
      message: "/body/media/0/content_type is required",
    });
  });

  it("escapes ~ and / in property names (RFC 6901)", () => {
    expect(describeError(err("required", "", { missingProperty: "a/b~c" })).pointer).toBe("/a~1b~0c");
    expect(describeError(err("additionalProperties", "/body", { additionalProperty: "x/y" }))).toEqual({
      pointer: "/body/x~1y",
      keyword: "additionalProperties",
      message: "/body/x~1y is not allowed",
    });
  });

  it('writes the root as "/" in sentences but keeps "" as its pointer', () => {
    expect(describeError(err("type", "", { type: "object" }))).toEqual({ pointer: "", keyword: "type", message: "/ must be an object" });
  });
});

describe("describeErrors", () => {
  it("keeps order and drops exact duplicates", () => {
    const issues = describeErrors([
      err("required", "", { missingProperty: "batch_id" }),
      err("minimum", "/statuses/0/count", { limit: 1 }),
      err("required", "", { missingProperty: "batch_id" }),
      err("minimum", "/statuses/1/count", { limit: 1 }),
    ]);
    expect(issues.map((i) => i.message)).toEqual(["/batch_id is required", "/statuses/0/count must be >= 1", "/statuses/1/count must be >= 1"]);
  });

  it("returns nothing for no errors", () => {
    expect(describeErrors([])).toEqual([]);
  });
});

describe("pointer helpers", () => {
  it.each([
    ["plain", "plain"],
    ["a/b", "a~1b"],
    ["m~n", "m~0n"],
    ["~/", "~0~1"],
  ])("escapePointerSegment(%j) = %j", (input, output) => {
    expect(escapePointerSegment(input)).toBe(output);
  });

  it("displayPointer", () => {
    expect(displayPointer("")).toBe("/");
    expect(displayPointer("/a/0")).toBe("/a/0");
  });
});
