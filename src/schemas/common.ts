/**
 * Building blocks shared by the per-family schemas: the JSON Schema subset we write, the patterns
 * with their human wording, and field fragments used by several callbacks.
 */

/**
 * The draft-07 keywords these schemas use, typed so a misspelt keyword fails to compile.
 * `x-open-enum` is our annotation for an open enum (see OPEN_ENUM_KEYWORD).
 */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  const?: string;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  items?: JsonSchema;
  uniqueItems?: boolean;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: "date-time";
  examples?: readonly unknown[];
  "x-open-enum"?: readonly (string | number)[];
}

export const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

export const schemaId = (type: string): string => `https://sinch-hooks.dev/schemas/${type}.json`;

/**
 * Sinch's SDKs treat `status`, `encoding` and the MMS media `status` as open enums (§3.1, §2.3,
 * §2.5): a value outside the list is accepted but reported as a warning (Decisions f). JSON Schema
 * has no "known but not exhaustive" keyword, so the list lives in this annotation; ajv is told to
 * ignore it and validate.ts reads it.
 */
export const OPEN_ENUM_KEYWORD = "x-open-enum";

/**
 * MSISDNs appear with and without a leading `+` in official fixtures (§2 wire formats,
 * Decisions f). E.164 caps a number at 15 digits.
 */
export const MSISDN_PATTERN = "^\\+?[0-9]{1,15}$";

/** Standard Base64 alphabet with `=` padding (RFC 4648 §4), as in the doc example (§2.2). */
export const BASE64_PATTERN = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";

/** Whole bytes of hex digits: the UDH is binary, so an odd digit count cannot be decoded (§2.2). */
export const HEX_PATTERN = "^(?:[0-9A-Fa-f]{2})*$";

/** `type/subtype` with RFC 9110 token characters; parameters (`; charset=…`) may follow. */
export const MIME_TYPE_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\\s*;.*)?$";

/** What each pattern means, for error sentences ("/udh must be hex digits …"). */
export const PATTERN_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [MSISDN_PATTERN]: "must be a phone number: up to 15 digits with an optional leading +",
  [BASE64_PATTERN]: "must be Base64 (A-Z, a-z, 0-9, +, / with = padding)",
  [HEX_PATTERN]: "must be hex digits (an even number of 0-9, A-F)",
  [MIME_TYPE_PATTERN]: "must be a MIME type such as image/png",
};

/**
 * Linear-time stand-ins for the two patterns built from a repeated group. V8's backtracking engine
 * keeps a stack entry per repetition of `(?:…{4})*`, so a body of several megabytes throws
 * "Maximum call stack size exceeded". The schemas keep the standard pattern for other tools;
 * validate.ts hands ajv these functions instead; test/schemas/patterns.test.ts checks both forms agree.
 */
export const LINEAR_PATTERN_TESTS: Readonly<Record<string, (value: string) => boolean>> = {
  [BASE64_PATTERN]: isBase64,
  [HEX_PATTERN]: isHex,
};

export function isBase64(value: string): boolean {
  if (value.length % 4 !== 0) return false;
  let end = value.length;
  if (value.endsWith("==")) end -= 2;
  else if (value.endsWith("=")) end -= 1;
  for (let i = 0; i < end; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
    if (!ok) return false;
  }
  return true;
}

export function isHex(value: string): boolean {
  if (value.length % 2 !== 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!ok) return false;
  }
  return true;
}

/** mo_binary: body and udh together, after decoding (§2.2). ajv cannot express it; validate.ts checks it. */
export const MO_BINARY_MAX_BYTES = 140;

/**
 * Timestamps: ISO-8601 / RFC 3339 with a zone. `format: "date-time"` (ajv-formats, full mode)
 * accepts both `…:00Z` and `…:00.386Z`, which Sinch sends interchangeably (§2 wire formats), and
 * rejects impossible dates such as month 13.
 */
export function timestamp(description: string): JsonSchema {
  return {
    type: "string",
    format: "date-time",
    description: `${description} ISO-8601 with a time zone; milliseconds optional.`,
    examples: ["2025-01-13T09:22:00Z", "2024-06-06T07:52:37.386Z"],
  };
}

export function msisdn(description: string): JsonSchema {
  return {
    type: "string",
    pattern: MSISDN_PATTERN,
    description: `${description} Digits with or without a leading +.`,
    examples: ["+15550100001", "15550100001"],
  };
}

export function text(description: string, examples?: readonly string[]): JsonSchema {
  return examples === undefined ? { type: "string", description } : { type: "string", description, examples };
}

export function typeConst(type: string, description: string): JsonSchema {
  return { type: "string", const: type, description };
}

/** §3.1: the ten statuses, title case; open, so other values only warn. */
export function deliveryStatus(knownStatuses: readonly string[]): JsonSchema {
  return {
    type: "string",
    description:
      "Simplified delivery status in title case. Queued and Dispatched are intermediate; the others are final. Open list: Sinch may add values.",
    [OPEN_ENUM_KEYWORD]: knownStatuses,
  };
}

/** §3.2: SMPP, MMS and Sinch 400-418 codes mixed; new ones may be added, so any integer is accepted. */
export const deliveryCode: JsonSchema = {
  type: "integer",
  description: "Detailed status code: 0 with Delivered, Sinch codes 400-418, or SMPP / MMS error codes. Open: new codes may be added.",
  examples: [0, 401, 402, 412],
};

/** Fields shared by mo_text, mo_binary and mo_media (§2.1-2.3). */
export function moCommonProperties(): Record<string, JsonSchema> {
  return {
    id: text("ID of this inbound message (ULID-like in Sinch's examples).", ["01FC66621XXXXX119Z8PMV1QPA"]),
    from: msisdn("Phone number (MSISDN) that sent the message."),
    to: text("Sinch number or short code that received the message.", ["15550100099", "+15550100099"]),
    received_at: timestamp("When Sinch received the message."),
    sent_at: timestamp("When the message left the handset; present only if the operator provides it."),
    // §2.6: the documented sample holds the placeholder "string", so no MCC/MNC pattern is enforced.
    operator_id: text("MCC/MNC of the sender's operator, if known.", ["35000", "311071"]),
    client_reference: text(
      "client_reference of the outbound message this replies to; sent only when the feature is enabled on the account.",
    ),
  };
}

export const MO_REQUIRED = ["type", "id", "from", "to", "body", "received_at"] as const;
