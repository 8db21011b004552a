/**
 * validateCallback: the one entry point that judges a parsed callback body. Used by `validate` and
 * on the listener's hot path, so: one Ajv instance, each schema compiled once on first use, no
 * exceptions escape, and the result is plain data for the caller to render.
 */
import { Ajv, type Options as AjvOptions, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { isBase64, isHex, LINEAR_PATTERN_TESTS } from "../schemas/common.js";
import { schemas, MO_BINARY_MAX_BYTES, OPEN_ENUM_KEYWORD, type JsonSchema } from "../schemas/index.js";
import { CALLBACK_TYPES, isCallbackType, type CallbackType } from "../schemas/types.js";
import { describeErrors, escapePointerSegment } from "./describe-errors.js";

export interface ValidationIssue {
  /** RFC 6901 JSON pointer into the payload; "" is the payload itself. */
  pointer: string;
  /** A full sentence, ready to print. */
  message: string;
  /** The JSON Schema keyword (or our own rule name) behind the issue. */
  keyword: string;
}

export interface ValidationResult {
  ok: boolean;
  /** The payload's `type` when it is a string (even an unknown one), else null. */
  type: string | null;
  knownType: boolean;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

/**
 * Per list. A payload with thousands of problems is reported by its first ones plus a final
 * "truncated" issue, so output and memory stay bounded on the listener's hot path.
 */
export const MAX_ISSUES = 100;

const KNOWN_TYPES_TEXT = CALLBACK_TYPES.join(", ");

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the
// module object, whose `.default` is the plugin. At runtime module.exports is also the plugin.
type FormatsPlugin = typeof addFormatsModule.default;
const addFormats: FormatsPlugin = (addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

let ajv: Ajv | undefined;
const validators = new Map<CallbackType, ValidateFunction>();
const shapes = new Map<CallbackType, Shape>();

/**
 * ajv's pattern engine: the native RegExp, except for the patterns that overflow V8's regex stack
 * on multi-megabyte strings (see LINEAR_PATTERN_TESTS). ajv keys compiled patterns by toString().
 */
type RegExpEngine = NonNullable<NonNullable<AjvOptions["code"]>["regExp"]>;

const safeRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string): { test(value: string): boolean; toString(): string } => {
    const test = LINEAR_PATTERN_TESTS[pattern];
    return test === undefined ? new RegExp(pattern, flags) : { test, toString: () => `/${pattern}/${flags}` };
  },
  { code: "new RegExp" },
);

function getAjv(): Ajv {
  if (ajv === undefined) {
    // verbose: errors carry the offending data, so messages can say what was found instead.
    ajv = new Ajv({ allErrors: true, strict: true, verbose: true, code: { regExp: safeRegExp } });
    addFormats(ajv, ["date-time"]);
    // Annotation only: ajv ignores it, walkShape() turns it into warnings.
    ajv.addVocabulary([OPEN_ENUM_KEYWORD]);
  }
  return ajv;
}

function validatorFor(type: CallbackType): ValidateFunction {
  let fn = validators.get(type);
  if (fn === undefined) {
    fn = getAjv().compile(schemas[type]);
    validators.set(type, fn);
  }
  return fn;
}

export function validateCallback(payload: unknown): ValidationResult {
  try {
    return validateUnguarded(payload);
  } catch (err) {
    // Getters or proxies can throw while ajv reads them; a validator must still answer.
    return {
      ok: false,
      type: null,
      knownType: false,
      errors: [{ pointer: "", keyword: "internal", message: `payload could not be validated: ${errorText(err)}` }],
      warnings: [],
    };
  }
}

function validateUnguarded(payload: unknown): ValidationResult {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return failure(null, { pointer: "", keyword: "type", message: `payload must be a JSON object (got ${jsonTypeOf(payload)})` });
  }
  const record = payload as Record<string, unknown>;
  if (!Object.hasOwn(record, "type") || record.type === undefined) {
    return failure(null, { pointer: "/type", keyword: "required", message: `missing "type" (known: ${KNOWN_TYPES_TEXT})` });
  }
  const type = record.type;
  if (typeof type !== "string") {
    return failure(null, { pointer: "/type", keyword: "type", message: `"type" must be a string (got ${jsonTypeOf(type)}; known: ${KNOWN_TYPES_TEXT})` });
  }
  if (!isCallbackType(type)) {
    // One clear sentence instead of every schema's complaints: the discriminator decides the rest.
    return failure(type, { pointer: "/type", keyword: "type", message: `unknown callback type ${quote(type)} (known: ${KNOWN_TYPES_TEXT})` });
  }

  const validate = validatorFor(type);
  const errors: ValidationIssue[] = [];
  let errorsTruncated = false;
  if (!validate(payload)) {
    const raw = validate.errors ?? [];
    // allErrors on a huge bad array yields one ajv error per element; describe a bounded prefix.
    errorsTruncated = raw.length > MAX_ISSUES * 2;
    errors.push(...describeErrors(errorsTruncated ? raw.slice(0, MAX_ISSUES * 2) : raw));
  }
  if (type === "mo_binary") checkBinaryLength(record, errors);

  const sink: Sink = { issues: [], truncated: false };
  walkShape(shapeFor(type), payload, "", sink);

  return {
    ok: errors.length === 0,
    type,
    knownType: true,
    errors: capIssues(errors, errorsTruncated),
    warnings: capIssues(sink.issues, sink.truncated),
  };
}

function failure(type: string | null, issue: ValidationIssue): ValidationResult {
  return { ok: false, type, knownType: false, errors: [issue], warnings: [] };
}

/**
 * §2.2: "body and udh together are at most 140 bytes after decoding" — a cross-field rule JSON
 * Schema cannot state. Only checked when both decode (a pattern error already covers the rest).
 */
function checkBinaryLength(record: Record<string, unknown>, errors: ValidationIssue[]): void {
  const { body, udh } = record;
  if (typeof body !== "string" || !isBase64(body)) return;
  if (udh !== undefined && (typeof udh !== "string" || !isHex(udh))) return;
  const bodyBytes = base64DecodedLength(body);
  const udhBytes = typeof udh === "string" ? udh.length / 2 : 0;
  if (bodyBytes + udhBytes > MO_BINARY_MAX_BYTES) {
    errors.push({
      pointer: "/body",
      keyword: "maxBytes",
      message: `/body and /udh must be at most ${MO_BINARY_MAX_BYTES} bytes together after decoding (got ${bodyBytes + udhBytes}: body ${bodyBytes} + udh ${udhBytes})`,
    });
  }
}

function base64DecodedLength(b64: string): number {
  const padding = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  return (b64.length / 4) * 3 - padding;
}

// ---------------------------------------------------------------------------------------------
// Warnings: unknown fields and unknown open-enum values (Decisions f).
// The schemas allow additional properties, so ajv says nothing about them; this walk visits only
// the properties a schema names, so its depth is bounded by the schema, not by the payload.
// ---------------------------------------------------------------------------------------------

type Shape =
  | { kind: "object"; title: string; properties: Map<string, Shape> }
  | { kind: "array"; items: Shape }
  | { kind: "value"; name: string; known: ReadonlySet<unknown> | undefined; jsType: "string" | "number" };

function shapeFor(type: CallbackType): Shape {
  let shape = shapes.get(type);
  if (shape === undefined) {
    shape = buildShape(schemas[type], type);
    shapes.set(type, shape);
  }
  return shape;
}

function buildShape(schema: JsonSchema, name: string): Shape {
  if (schema.type === "object") {
    const properties = new Map<string, Shape>();
    for (const [key, child] of Object.entries(schema.properties ?? {})) properties.set(key, buildShape(child, key));
    return { kind: "object", title: schema.title ?? name, properties };
  }
  if (schema.type === "array" && schema.items !== undefined) return { kind: "array", items: buildShape(schema.items, name) };
  const known = schema[OPEN_ENUM_KEYWORD];
  const jsType = schema.type === "integer" || schema.type === "number" ? "number" : "string";
  return { kind: "value", name, known: known === undefined ? undefined : new Set(known), jsType };
}

/** Whether walking into a shape can produce a warning; lets huge arrays of plain strings be skipped. */
function canWarn(shape: Shape): boolean {
  if (shape.kind === "object") return true;
  if (shape.kind === "array") return canWarn(shape.items);
  return shape.known !== undefined;
}

interface Sink {
  issues: ValidationIssue[];
  /** Set once MAX_ISSUES is reached; the walk then stops. */
  truncated: boolean;
}

function push(sink: Sink, issue: ValidationIssue): void {
  if (sink.issues.length < MAX_ISSUES) sink.issues.push(issue);
  else sink.truncated = true;
}

function walkShape(shape: Shape, data: unknown, pointer: string, sink: Sink): void {
  if (sink.truncated) return;
  switch (shape.kind) {
    case "object": {
      if (typeof data !== "object" || data === null || Array.isArray(data)) return;
      for (const key of Object.keys(data)) {
        const child = shape.properties.get(key);
        const childPointer = `${pointer}/${escapePointerSegment(key)}`;
        if (child === undefined) {
          push(sink, {
            pointer: childPointer,
            keyword: "additionalProperties",
            message: `${childPointer} is not a known ${shape.title} field (allowed: Sinch may add fields)`,
          });
          if (sink.truncated) return;
        } else if (canWarn(child)) {
          walkShape(child, (data as Record<string, unknown>)[key], childPointer, sink);
        }
      }
      return;
    }
    case "array": {
      if (!Array.isArray(data) || !canWarn(shape.items)) return;
      for (let i = 0; i < data.length && !sink.truncated; i++) walkShape(shape.items, data[i], `${pointer}/${i}`, sink);
      return;
    }
    case "value": {
      const { known } = shape;
      // A value of the wrong type is already an error; only a well-typed stranger is a warning.
      if (known === undefined || typeof data !== shape.jsType || known.has(data)) return;
      const list = [...known].join(", ");
      push(sink, {
        pointer,
        keyword: OPEN_ENUM_KEYWORD,
        message: `${pointer} ${quote(data as string | number)} is not a known ${shape.name} value (known: ${list}); accepted because the list is open`,
      });
      return;
    }
  }
}

function capIssues(issues: ValidationIssue[], truncated: boolean): ValidationIssue[] {
  if (!truncated && issues.length <= MAX_ISSUES) return issues;
  return [...issues.slice(0, MAX_ISSUES), { pointer: "", keyword: "truncated", message: `more problems not shown (only the first ${MAX_ISSUES} are listed)` }];
}

// ---------------------------------------------------------------------------------------------

function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "object" ? "object" : typeof value;
}

/** Quotes a value for a message, shortening long strings so one bad field cannot flood the output. */
function quote(value: string | number): string {
  if (typeof value === "number") return String(value);
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(shown);
}

function errorText(err: unknown): string {
  try {
    return err instanceof Error ? err.message : String(err);
  } catch {
    return "unknown error";
  }
}
