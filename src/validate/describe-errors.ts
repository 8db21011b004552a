/**
 * ajv ErrorObject[] → short sentences that start with a JSON pointer, e.g.
 * "/statuses/0/count must be >= 1" or "/batch_id is required". Pure: no ajv instance needed.
 */
import type { ErrorObject } from "ajv";
import { PATTERN_DESCRIPTIONS } from "../schemas/common.js";
import type { ValidationIssue } from "./validate.js";

const DATE_TIME_HINT = "must be an ISO-8601 date-time with a time zone, e.g. 2025-01-13T09:22:00Z or 2025-01-13T09:22:00.386Z";

/** RFC 6901: "~" → "~0", "/" → "~1" inside one reference token. */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** The root pointer is "" in RFC 6901; in a sentence it reads better as "/". */
export function displayPointer(pointer: string): string {
  return pointer === "" ? "/" : pointer;
}

export function describeErrors(errors: readonly ErrorObject[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const issue = describeError(error);
    // allErrors can report the same fact twice (e.g. one failure per applicable sub-schema).
    const key = `${issue.pointer}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

export function describeError(error: ErrorObject): ValidationIssue {
  const pointer = error.instancePath;
  const params = error.params as Record<string, unknown>;
  const keyword = error.keyword;
  const say = (text: string, where = pointer): ValidationIssue => ({ pointer: where, keyword, message: `${displayPointer(where)} ${text}` });

  switch (keyword) {
    case "required": {
      // Point at the missing property itself, not at its parent.
      const missing = `${pointer}/${escapePointerSegment(String(params.missingProperty))}`;
      return say("is required", missing);
    }
    case "type": {
      const expected = String(params.type).split(",").map(withArticle).join(" or ");
      const got = "data" in error ? ` (got ${describeValue(error.data)})` : "";
      return say(`must be ${expected}${got}`);
    }
    case "minimum":
      return say(`must be >= ${String(params.limit)}`);
    case "maximum":
      return say(`must be <= ${String(params.limit)}`);
    case "exclusiveMinimum":
      return say(`must be > ${String(params.limit)}`);
    case "exclusiveMaximum":
      return say(`must be < ${String(params.limit)}`);
    case "maxLength":
      return say(`must be at most ${String(params.limit)} characters`);
    case "minLength":
      return say(`must be at least ${String(params.limit)} characters`);
    case "maxItems":
      return say(`must have at most ${String(params.limit)} items`);
    case "minItems":
      return say(`must have at least ${String(params.limit)} items`);
    case "uniqueItems": {
      const i = Number(params.i);
      const j = Number(params.j);
      const [first, second] = i < j ? [i, j] : [j, i];
      return say(`must not contain duplicates (items ${first} and ${second} are the same)`);
    }
    case "pattern": {
      const pattern = String(params.pattern);
      return say(PATTERN_DESCRIPTIONS[pattern] ?? `must match the pattern ${pattern}`);
    }
    case "format":
      return say(params.format === "date-time" ? DATE_TIME_HINT : `must be a valid ${String(params.format)}`);
    case "enum": {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return say(`must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`);
    }
    case "const":
      return say(`must be ${JSON.stringify(params.allowedValue)}`);
    case "additionalProperties": {
      const extra = `${pointer}/${escapePointerSegment(String(params.additionalProperty))}`;
      return say("is not allowed", extra);
    }
    default:
      return say(error.message ?? `fails the ${keyword} rule`);
  }
}

function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : type === "null" ? "null" : `a ${type}`;
}

/** "string", "number 2.5", "null" …: enough to see the mistake without echoing a huge value. */
function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return `number ${value}`;
  if (typeof value === "string") return value.length <= 20 ? `string ${JSON.stringify(value)}` : "string";
  return typeof value;
}
