/**
 * What to send: files, directories (every *.json and *.ndjson inside, in name order) and "-" for stdin,
 * each holding a bare payload, an array of payloads, NDJSON, or `listen --record` recordings.
 * A recording's raw body is sent byte-for-byte; a bare payload is sent as compact JSON, as Sinch sends it.
 * Shared by replay, simulate-retries and check.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { readSource } from "../input.js";
import type { Io } from "../io.js";
import { freshen } from "../fixtures/samples.js";
import { RECORDING_FORMAT, decodeBody, type Recording } from "../listen/recording.js";
import { parseJson, splitPayloads } from "../validate/parse.js";
import { validateCallback, type ValidationResult } from "../validate/validate.js";
import { applyOverrides, type FieldOverride } from "./overrides.js";

export interface OutgoingCallback {
  /** Label for output: `m.json`, `batch.json[2]`, `events.ndjson:3`, a recording's file name. */
  name: string;
  /** The exact bytes to send. */
  body: Buffer;
  /** The parsed payload, when the body is JSON. */
  payload?: unknown;
  type: string | null;
  validation?: ValidationResult;
  /** Path the callback arrived on (recordings only). */
  path?: string;
  /** Headers to replay (recordings only): custom headers, content-type; never signatures or credentials. */
  headers: Record<string, string>;
  source: "payload" | "recording";
}

export interface LoadOptions {
  allowInvalid: boolean;
  overrides?: readonly FieldOverride[];
  /** --fresh: new ids, batch ids and timestamps, so an endpoint's de-duplication is not tripped. */
  fresh?: boolean;
}

const SKIP_HEADERS = /^(x-sinch-webhook-signature|authorization|content-length|host|connection|transfer-encoding)/;

export function isRecording(value: unknown): value is Recording {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  // oxlint-disable-next-line no-underscore-dangle -- "_meta" is the recording format's own field name
  const meta = (value as { _meta?: { format?: unknown } })._meta;
  return meta !== undefined && meta !== null && typeof meta === "object" && meta.format === RECORDING_FORMAT;
}

async function expand(spec: string): Promise<string[]> {
  if (spec === "-") return [spec];
  let s;
  try {
    s = await stat(spec);
  } catch {
    return [spec]; // readSource reports the missing file
  }
  if (!s.isDirectory()) return [spec];
  const names = (await readdir(spec)).filter((n) => n.endsWith(".json") || n.endsWith(".ndjson")).toSorted();
  if (names.length === 0) throw new InputError(`directory ${spec} holds no *.json or *.ndjson files`, "point at fixture files, or at a `listen --record` directory");
  return names.map((n) => join(spec, n));
}

function typeOf(payload: unknown): string | null {
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return null;
  const t = (payload as { type?: unknown }).type;
  return typeof t === "string" ? t : null;
}

export async function loadCallbacks(specs: readonly string[], io: Io, opts: LoadOptions): Promise<OutgoingCallback[]> {
  const out: OutgoingCallback[] = [];
  const files: string[] = [];
  for (const spec of specs) files.push(...(await expand(spec)));
  for (const file of files) {
    const source = await readSource(file, io);
    const text = source.bytes.toString("utf8");
    for (const entry of splitPayloads(text, source.name)) {
      if (entry.error) {
        throw new InputError(`${entry.label}:${entry.error.line}:${entry.error.column}: ${entry.error.message}`, "fix the JSON, or check that the file holds payloads or recordings");
      }
      out.push(toOutgoing(entry.label, entry.value, io, opts));
    }
  }
  if (out.length === 0) throw new InputError("nothing to send: the inputs hold no payloads", "pass fixture files, e.g. `sinch-hooks fixtures mo_text > m.json`");

  const invalid = out.filter((c) => c.validation && !c.validation.ok);
  if (invalid.length > 0 && !opts.allowInvalid) {
    const lines = invalid.slice(0, 5).map((c) => `${c.name}: ${c.validation!.errors.slice(0, 3).map((e) => e.message).join("; ")}`);
    const more = invalid.length > 5 ? ` (and ${invalid.length - 5} more)` : "";
    throw new InputError(`${invalid.length} payload${invalid.length === 1 ? " is" : "s are"} invalid, nothing was sent${more}:\n  ${lines.join("\n  ")}`, "fix them, or pass --allow-invalid to test how your endpoint handles bad input");
  }
  return out;
}

function toOutgoing(name: string, value: unknown, io: Io, opts: LoadOptions): OutgoingCallback {
  const rewrite = (opts.overrides?.length ?? 0) > 0 || opts.fresh === true;
  if (isRecording(value)) {
    const raw = decodeBody(value);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(value.headers ?? {})) if (!SKIP_HEADERS.test(k.toLowerCase())) headers[k.toLowerCase()] = String(v);
    const parsed = parseJson(raw.toString("utf8"));
    let payload = parsed.ok ? parsed.value : undefined;
    let body = raw;
    if (rewrite && payload !== undefined) {
      payload = transform(payload, io, opts);
      body = Buffer.from(JSON.stringify(payload));
    }
    const label = `${name}${value.path && value.path !== "/" ? ` (${value.path})` : ""}`;
    return {
      name: label,
      body,
      payload,
      type: typeOf(payload),
      validation: payload === undefined ? undefined : validateCallback(payload),
      path: value.path,
      headers,
      source: "recording",
    };
  }
  const payload = rewrite ? transform(value, io, opts) : value;
  return { name, body: Buffer.from(JSON.stringify(payload)), payload, type: typeOf(payload), validation: validateCallback(payload), headers: {}, source: "payload" };
}

function transform(payload: unknown, io: Io, opts: LoadOptions): unknown {
  let p = payload;
  if (opts.fresh) p = freshen(p, { now: io.now() });
  if (opts.overrides?.length) p = applyOverrides(p, opts.overrides);
  return p;
}
