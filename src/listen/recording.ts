/**
 * The recording (fixture envelope) format written by `listen --record` and read by `replay`.
 * One JSON file per callback. `body` holds the raw body exactly as received (when it is valid UTF-8;
 * otherwise `body_base64`), so a replay can send the same bytes and a signature over them still holds.
 * Versioned in `_meta` so the format can evolve (the idea of stripe-cli's `_meta.template_version`).
 */
import type { IncomingHttpHeaders } from "node:http";

export const RECORDING_FORMAT = "sinch-hooks/recording";
export const RECORDING_VERSION = 1;

export interface Recording {
  _meta: { format: typeof RECORDING_FORMAT; version: typeof RECORDING_VERSION; tool: string };
  received_at: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  body_base64?: string;
  /** True when --redact masked numbers and text: the body was rewritten and signature headers dropped. */
  redacted: boolean;
  /** Set when the callback arrived through AWS SNS; `body` is then the unwrapped Sinch callback. */
  sns?: { topic_arn: string | null; message_id: string | null; verified: boolean; raw_delivery: boolean };
  verdict: {
    type: string | null;
    valid: boolean | null;
    errors: string[];
    warnings: string[];
    auth: { scheme: string; ok: boolean; message: string }[];
    status: number;
    attempt: number;
  };
}

/** JSON Schema (draft-07) of a recording file; `replay` validates envelopes against it. */
export const RECORDING_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://sinch-hooks.dev/schemas/recording.json",
  title: "sinch-hooks recording",
  description: "One callback as received by `sinch-hooks listen --record`, replayable by `sinch-hooks replay`.",
  type: "object",
  required: ["_meta", "method", "path", "headers", "redacted"],
  properties: {
    _meta: {
      type: "object",
      required: ["format", "version"],
      properties: {
        format: { const: RECORDING_FORMAT },
        version: { const: RECORDING_VERSION },
        tool: { type: "string" },
      },
    },
    received_at: { type: "string", description: "ISO-8601 time the listener received the callback" },
    method: { type: "string" },
    path: { type: "string", description: "Path the callback arrived on; replay may append it to --to" },
    headers: {
      type: "object",
      description: "Headers worth replaying (content-type, user-agent, x-sinch-*, custom headers). Never authorization or cookies.",
      additionalProperties: { type: "string" },
    },
    body: { type: "string", description: "The raw body, byte-for-byte as UTF-8 text" },
    body_base64: { type: "string", description: "The raw body in Base64, when it was not valid UTF-8" },
    redacted: { type: "boolean" },
    sns: {
      type: "object",
      description: "Present when the callback arrived through AWS SNS; body holds the unwrapped callback",
      properties: {
        topic_arn: { type: ["string", "null"] },
        message_id: { type: ["string", "null"] },
        verified: { type: "boolean" },
        raw_delivery: { type: "boolean" },
      },
    },
    verdict: {
      type: "object",
      properties: {
        type: { type: ["string", "null"] },
        valid: { type: ["boolean", "null"] },
        errors: { type: "array", items: { type: "string" } },
        warnings: { type: "array", items: { type: "string" } },
        auth: { type: "array", items: { type: "object" } },
        status: { type: "integer" },
        attempt: { type: "integer", minimum: 1 },
      },
    },
  },
  oneOf: [{ required: ["body"] }, { required: ["body_base64"] }],
} as const;

// Secrets and per-hop values never go into a recording (issue #7: no secret in any output channel).
const NEVER_RECORD = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "host", "connection", "content-length", "transfer-encoding", "keep-alive"]);
const SIGNATURE_PREFIX = "x-sinch-webhook-signature";

export function recordableHeaders(headers: IncomingHttpHeaders, redacted: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (NEVER_RECORD.has(lower)) continue;
    if (redacted && lower.startsWith(SIGNATURE_PREFIX)) continue;
    out[lower] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export function encodeBody(body: Buffer): { body: string } | { body_base64: string } {
  const text = body.toString("utf8");
  // Round-trip check: invalid UTF-8 would be replaced with U+FFFD and no longer match the bytes.
  return Buffer.from(text, "utf8").equals(body) ? { body: text } : { body_base64: body.toString("base64") };
}

export function decodeBody(rec: Pick<Recording, "body" | "body_base64">): Buffer {
  if (typeof rec.body === "string") return Buffer.from(rec.body, "utf8");
  return Buffer.from(rec.body_base64 ?? "", "base64");
}
