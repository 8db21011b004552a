/**
 * Rendering Sinch SMS callbacks for the terminal: a one-line summary per callback, a pretty JSON
 * detail view, and the redacted copy used for both display and recordings.
 *
 * The listener renders every callback it receives, valid or not, so nothing here may trust the
 * payload: fields are read one by one and checked for type, and all payload text goes through
 * truncateText, which escapes control characters. Payload types come from the schemas module, but
 * are deliberately not imported: a payload that failed validation has no type to rely on.
 */
import { describeDeliveryCode, statusKind } from "./codes.js";
import { redactPhone, redactText, truncateText } from "./text.js";
import type { Theme } from "./theme.js";

export interface RenderOptions {
  /** Mask phone numbers and message content, as redactPayload does. @default false */
  redact?: boolean;
  /** Longest message text (body, MMS subject or message) in a summary, in graphemes, "…" included. @default 60 */
  maxBodyChars?: number;
}

type Rec = Record<string, unknown>;

interface Ctx {
  theme: Theme;
  redact: boolean;
  maxBody: number;
}

const DEFAULT_MAX_BODY = 60;
// Identifiers are shown whole in practice (Sinch IDs are 26 characters); the limits only stop a
// hostile value from flooding the line.
const MAX_ID = 64;
const MAX_PHONE = 32;
const MAX_WORD = 40;
// More status entries or media than this are counted, not listed, to keep the summary one line.
const MAX_STATUSES = 8;
const MAX_MEDIA = 4;
// The detail view stops descending here. Recursion this deep is safe, and no Sinch payload nests
// more than four levels.
const MAX_DEPTH = 64;

function isRecord(v: unknown): v is Rec {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Own properties only: a payload is data, and an inherited `toString` or a polluted prototype
// must not be mistaken for a field.
function get(r: Rec, key: string): unknown {
  return Object.hasOwn(r, key) ? r[key] : undefined;
}

// Plain assignment of "__proto__" would change the prototype instead of setting a field, and
// JSON.parse does produce own "__proto__" keys.
function put(r: Rec, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(r, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    r[key] = value;
  }
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Any payload value as a short, safe token; "?" for a missing field. */
function token(v: unknown, max: number): string {
  if (typeof v === "string") return v === "" ? '""' : truncateText(v, max);
  if (v === undefined) return "?";
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  if (Array.isArray(v)) return "[…]";
  if (typeof v === "object") return "{…}";
  return kindOf(v);
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function resolveOptions(theme: Theme, opts: RenderOptions | undefined): Ctx {
  const m = opts?.maxBodyChars;
  const maxBody = typeof m === "number" && !Number.isNaN(m) ? Math.max(1, Math.floor(m)) : DEFAULT_MAX_BODY;
  return { theme, redact: opts?.redact === true, maxBody };
}

// ---------------------------------------------------------------------------------------------
// Summary

function colorFor(kind: ReturnType<typeof statusKind>, theme: Theme): (s: string) => string {
  switch (kind) {
    case "delivered":
      return theme.green;
    case "failed":
      return theme.red;
    case "pending":
      return theme.yellow;
    case "other":
      return theme.gray;
    case "unknown":
      // Not a status Sinch lists: make it stand out rather than pass for a real one.
      return theme.magenta;
  }
}

function statusText(status: unknown, theme: Theme): string {
  if (typeof status !== "string") return token(status, MAX_WORD);
  return colorFor(statusKind(status), theme)(token(status, MAX_WORD));
}

function phone(v: unknown, ctx: Ctx): string {
  if (ctx.redact && (typeof v === "string" || typeof v === "number")) {
    const masked = redactPhone(String(v));
    return masked === "" ? '""' : ctx.theme.dim(masked);
  }
  return token(v, MAX_PHONE);
}

function quoted(s: string, ctx: Ctx): string {
  return ctx.redact ? ctx.theme.dim(redactText(s)) : `"${truncateText(s, ctx.maxBody)}"`;
}

/** The payload of mo_binary decodes to how many bytes, or null when it is not Base64. */
function base64Bytes(s: string): number | null {
  const m = /^([A-Za-z0-9+/]*)(={0,2})$/.exec(s);
  if (!m) return null;
  const data = m[1]?.length ?? 0;
  const pad = m[2]?.length ?? 0;
  // Padded input must fill whole quads; unpadded input can never leave a single dangling char.
  if (pad > 0 ? (data + pad) % 4 !== 0 : data % 4 === 1) return null;
  return Math.floor((data * 3) / 4);
}

function textContent(body: unknown, ctx: Ctx): string {
  if (typeof body === "string") return quoted(body, ctx);
  return body === undefined ? "(no body)" : `(body is ${kindOf(body)})`;
}

function binaryContent(p: Rec): string {
  const body = get(p, "body");
  const udh = get(p, "udh");
  let s: string;
  if (typeof body === "string") {
    const n = base64Bytes(body);
    s = n === null ? `binary body not Base64 (${plural(body.length, "char", "chars")})` : `binary ${plural(n, "byte", "bytes")}`;
  } else {
    s = body === undefined ? "binary (no body)" : `binary (body is ${kindOf(body)})`;
  }
  // Eight hex digits show the information element that matters most (e.g. 050003… = concatenation).
  if (typeof udh === "string") s += `, udh ${token(udh, 9)}`;
  else s += udh === undefined ? ", no udh" : `, udh is ${kindOf(udh)}`;
  // Binary content is never shown, so redaction has nothing to hide here.
  return s;
}

function mediaItem(m: unknown, theme: Theme): string {
  if (!isRecord(m)) return "?";
  const ct = get(m, "content_type");
  const status = get(m, "status");
  const label = typeof status === "string" ? token(status.toLowerCase(), MAX_WORD) : token(status, MAX_WORD);
  const color = status === "Uploaded" ? theme.green : status === "Failed" ? theme.red : (s: string) => s;
  return `${token(ct, MAX_WORD)} ${color(label)}`;
}

function mediaContent(body: unknown, ctx: Ctx): string {
  if (!isRecord(body)) return body === undefined ? "(no body)" : `(body is ${kindOf(body)})`;
  const parts: string[] = [];
  const subject = get(body, "subject");
  const message = get(body, "message");
  const media = get(body, "media");
  if (typeof subject === "string") parts.push(`subject ${quoted(subject, ctx)}`);
  else if (subject !== undefined) parts.push(`subject is ${kindOf(subject)}`);
  if (typeof message === "string") parts.push(quoted(message, ctx));
  else if (message !== undefined) parts.push(`message is ${kindOf(message)}`);
  if (Array.isArray(media)) {
    const shown = media.slice(0, MAX_MEDIA).map((m) => mediaItem(m, ctx.theme));
    if (media.length > MAX_MEDIA) shown.push(`+${media.length - MAX_MEDIA} more`);
    parts.push(media.length === 0 ? "0 media" : `${media.length} media (${shown.join(", ")})`);
  } else if (media !== undefined) {
    parts.push(`media is ${kindOf(media)}`);
  }
  return parts.length === 0 ? "(empty MMS body)" : parts.join(" ");
}

function inbound(p: Rec, type: "mo_text" | "mo_binary" | "mo_media", ctx: Ctx): string {
  const body = get(p, "body");
  const content =
    type === "mo_text" ? textContent(body, ctx) : type === "mo_binary" ? binaryContent(p) : mediaContent(body, ctx);
  return `${phone(get(p, "from"), ctx)} → ${phone(get(p, "to"), ctx)} ${content} id ${token(get(p, "id"), MAX_ID)}`;
}

/**
 * Whether a code says nothing the status does not already say: 0 with Delivered, and the codes
 * named after their status (400 Queued, 401 Dispatched, 407 Cancelled).
 */
function redundantCode(code: number, status: unknown): boolean {
  const info = describeDeliveryCode(code);
  return info !== null && info.status === status && (code === 0 || info.name === status);
}

/** Code note inside a batch status entry; empty when the code only repeats the status. */
function entryCode(code: unknown, status: unknown): string {
  if (code === undefined) return "";
  if (typeof code !== "number") return ` (code is ${kindOf(code)})`;
  if (redundantCode(code, status)) return "";
  const info = describeDeliveryCode(code);
  return info ? ` (${code} ${info.name})` : ` (code ${code})`;
}

function statusEntry(e: unknown, theme: Theme): string {
  if (!isRecord(e)) return "?";
  const status = get(e, "status");
  return `${statusText(status, theme)} ${token(get(e, "count"), MAX_WORD)}${entryCode(get(e, "code"), status)}`;
}

function batchReport(p: Rec, ctx: Ctx): string {
  let line = `batch ${token(get(p, "batch_id"), MAX_ID)} total ${token(get(p, "total_message_count"), MAX_WORD)}`;
  const statuses = get(p, "statuses");
  if (!Array.isArray(statuses)) {
    return line + (statuses === undefined ? " · statuses missing" : ` · statuses is ${kindOf(statuses)}`);
  }
  if (statuses.length === 0) return line + " · no statuses";
  let listed = 0;
  let full = false;
  for (let i = 0; i < statuses.length; i++) {
    const e: unknown = statuses[i];
    if (i < MAX_STATUSES) line += ` · ${statusEntry(e, ctx.theme)}`;
    const recipients = isRecord(e) ? get(e, "recipients") : undefined;
    if (Array.isArray(recipients)) {
      // Only full reports carry recipients; no other field tells summary and full apart (§2.4).
      full = true;
      listed += recipients.length;
    }
  }
  if (statuses.length > MAX_STATUSES) line += ` · +${statuses.length - MAX_STATUSES} more`;
  if (full) line += ` (${plural(listed, "recipient", "recipients")} listed)`;
  return line;
}

/** The code part of a recipient report, with a leading space; empty when it adds nothing. */
function recipientCode(code: unknown, status: unknown): string {
  if (code === undefined) return " code ?";
  if (typeof code !== "number") return ` (code is ${kindOf(code)})`;
  if (redundantCode(code, status)) return "";
  const info = describeDeliveryCode(code);
  if (!info) return ` SMPP/MMS code ${code} (not in Sinch's table)`;
  // Only documented mappings (400–412) can contradict the status; for 413–418 Sinch has not said
  // which status goes with them, and 0 is not an error code.
  const odd = info.confirmed && code !== 0 && typeof status === "string" && status !== info.status;
  return ` ${code} ${info.name}${odd ? ` (usually ${info.status})` : ""}`;
}

function recipientReport(p: Rec, ctx: Ctx): string {
  const status = get(p, "status");
  return (
    `${phone(get(p, "recipient"), ctx)} ${statusText(status, ctx.theme)}${recipientCode(get(p, "code"), status)}` +
    ` (batch ${token(get(p, "batch_id"), MAX_ID)}) at ${token(get(p, "at"), MAX_WORD)}`
  );
}

function summarize(payload: unknown, ctx: Ctx): string {
  if (!isRecord(payload)) return `not a JSON object (${kindOf(payload)})`;
  const type = get(payload, "type");
  switch (type) {
    case "mo_text":
    case "mo_binary":
    case "mo_media":
      return inbound(payload, type, ctx);
    case "delivery_report_sms":
    case "delivery_report_mms":
      return batchReport(payload, ctx);
    case "recipient_delivery_report_sms":
    case "recipient_delivery_report_mms":
      return recipientReport(payload, ctx);
  }
  if (type === undefined) return 'no "type" field';
  if (typeof type !== "string") return `"type" is ${kindOf(type)}, not a string`;
  return `unknown type "${truncateText(type, MAX_WORD)}"`;
}

/**
 * One line with the key fields of a callback, without a trailing newline. Never throws: invalid
 * payloads are described as far as they can be, with "?" for missing fields.
 */
export function summarizeCallback(payload: unknown, theme: Theme, opts?: RenderOptions): string {
  try {
    return summarize(payload, resolveOptions(theme, opts));
  } catch {
    // Only reachable with values JSON cannot produce (throwing getters, proxies); the listener
    // must keep running, so say so instead of failing.
    return theme.red("(payload could not be summarised)");
  }
}

// ---------------------------------------------------------------------------------------------
// Detail

// JSON.stringify already escapes C0 controls in strings; these are the other characters that
// could act on a terminal (C1, bidi controls, line separators). Escaped as \uXXXX, which keeps
// the text valid JSON.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function quote(s: string): string {
  return JSON.stringify(s).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Values JSON.stringify leaves out of objects (and turns into null in arrays). */
function skip(v: unknown): boolean {
  return v === undefined || typeof v === "function" || typeof v === "symbol";
}

function pretty(root: unknown, theme: Theme): string {
  const out: string[] = [];
  // Objects on the current path (a cycle) and objects already printed. JSON.parse never shares
  // objects, so "[Repeated]" only appears for values built in code, where printing a shared
  // object every time could grow exponentially (a DAG 64 levels deep has 2^64 paths).
  const path = new Set<object>();
  const printed = new Set<object>();

  const emit = (v: unknown, indent: string, depth: number): void => {
    if (v === null) return void out.push(theme.magenta("null"));
    switch (typeof v) {
      case "string":
        return void out.push(theme.green(quote(v)));
      case "number":
        // JSON has no NaN or Infinity; show what JSON.stringify would send.
        return void out.push(Number.isFinite(v) ? theme.yellow(String(v)) : theme.magenta("null"));
      case "boolean":
        return void out.push(theme.magenta(String(v)));
      case "bigint":
        return void out.push(theme.yellow(String(v)));
      case "undefined":
      case "function":
      case "symbol":
        return void out.push(theme.dim("undefined"));
    }
    if (v instanceof Date) {
      // Revived dates (the Sinch SDK's parseEvent makes them): print what toJSON would.
      const t = v.getTime();
      return void out.push(Number.isNaN(t) ? theme.magenta("null") : theme.green(quote(v.toISOString())));
    }
    const obj = v as object;
    const isArray = Array.isArray(obj);
    if (path.has(obj)) return void out.push(theme.dim("[Circular]"));
    if (printed.has(obj)) return void out.push(theme.dim("[Repeated]"));
    if (depth >= MAX_DEPTH) return void out.push(theme.dim(isArray ? "[…]" : "{…}"));
    const inner = indent + "  ";
    path.add(obj);
    printed.add(obj);
    if (isArray) {
      if (obj.length === 0) out.push("[]");
      else {
        out.push("[\n");
        for (let i = 0; i < obj.length; i++) {
          if (i > 0) out.push(",\n");
          out.push(inner);
          const item: unknown = obj[i];
          // As in JSON, array slots that cannot be represented become null.
          if (skip(item)) out.push(theme.magenta("null"));
          else emit(item, inner, depth + 1);
        }
        out.push(`\n${indent}]`);
      }
    } else {
      const rec = obj as Rec;
      const keys = Object.keys(rec).filter((k) => !skip(rec[k]));
      if (keys.length === 0) out.push("{}");
      else {
        out.push("{\n");
        keys.forEach((k, i) => {
          if (i > 0) out.push(",\n");
          out.push(`${inner}${theme.cyan(quote(k))}: `);
          emit(rec[k], inner, depth + 1);
        });
        out.push(`\n${indent}}`);
      }
    }
    path.delete(obj);
  };

  emit(root, "", 0);
  return out.join("");
}

/**
 * The whole payload as pretty JSON (2-space indent, keys and values lightly coloured), without a
 * trailing newline. With `redact`, a redacted copy is shown; the input is never changed. Strings
 * are JSON-escaped, so no payload text can reach the terminal as a control sequence.
 */
export function renderCallbackDetail(payload: unknown, theme: Theme, opts?: RenderOptions): string {
  try {
    return pretty(opts?.redact === true ? redactPayload(payload) : payload, theme);
  } catch {
    return theme.red("(payload could not be rendered)");
  }
}

// ---------------------------------------------------------------------------------------------
// Redaction

/**
 * A deep copy of JSON-like data. Iterative, so absurdly deep input (which JSON.parse accepts)
 * cannot overflow the stack; cycles and shared objects are reproduced, not followed forever.
 */
function deepCopy(root: unknown): unknown {
  if (typeof root !== "object" || root === null) return root;
  const copies = new Map<object, unknown>();
  const work: Array<[object, Rec | unknown[]]> = [];
  const copyOf = (v: unknown): unknown => {
    if (typeof v !== "object" || v === null) return v;
    if (v instanceof Date) return new Date(v.getTime());
    const seen = copies.get(v);
    if (seen !== undefined) return seen;
    const shell: Rec | unknown[] = Array.isArray(v) ? [] : {};
    copies.set(v, shell);
    work.push([v, shell]);
    return shell;
  };
  const top = copyOf(root);
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const [src, dst] = item;
    if (Array.isArray(src)) {
      const arr = dst as unknown[];
      for (let i = 0; i < src.length; i++) arr.push(copyOf(src[i]));
    } else {
      const rec = src as Rec;
      for (const k of Object.keys(rec)) put(dst as Rec, k, copyOf(rec[k]));
    }
  }
  return top;
}

// A structured value where text or a number was expected could hide anything; it is replaced
// whole rather than searched.
function opaque(v: object): string {
  return Array.isArray(v) ? "[redacted array]" : "[redacted object]";
}

function maskPhone(v: unknown): unknown {
  if (typeof v === "string") return redactPhone(v);
  // A number can still be a phone number in an invalid payload; privacy wins over the type.
  if (typeof v === "number") return redactPhone(String(v));
  if (typeof v === "object" && v !== null) return opaque(v);
  return v;
}

function maskPhones(v: unknown): unknown {
  return Array.isArray(v) ? v.map(maskPhone) : maskPhone(v);
}

function maskText(v: unknown): unknown {
  if (typeof v === "string") return redactText(v);
  if (typeof v === "object" && v !== null) return opaque(v);
  return v;
}

function maskUrl(v: unknown): unknown {
  if (typeof v !== "string") return maskText(v);
  // Keep scheme and host (which storage answered is useful when debugging a failed download) but
  // drop path, query and credentials, where signed-URL tokens and file names live. The result is
  // still a valid URL, so a redacted recording still validates.
  if (URL.canParse(v)) {
    const u = new URL(v);
    if ((u.protocol === "https:" || u.protocol === "http:") && u.host !== "") return `${u.origin}/redacted`;
  }
  return redactText(v);
}

// Media fields that describe the upload, not the content: kept so delivery problems stay visible.
const MEDIA_KEEP = new Set(["content_type", "status", "code"]);

function maskMedia(m: unknown): unknown {
  if (!isRecord(m)) return maskText(m);
  for (const k of Object.keys(m)) {
    if (k === "url") put(m, k, maskUrl(m[k]));
    else if (!MEDIA_KEEP.has(k)) put(m, k, maskText(m[k]));
  }
  return m;
}

function maskBody(body: unknown, binary: boolean): unknown {
  if (typeof body === "string") {
    // Zeroing the Base64 digits hides the content but keeps the byte count and a decodable body,
    // so a redacted mo_binary recording still passes the 140-byte and encoding checks.
    if (binary && base64Bytes(body) !== null) return body.replace(/[A-Za-z0-9+/]/g, "A");
    return redactText(body);
  }
  if (!isRecord(body)) return maskText(body);
  // An MMS body: everything is masked except the media metadata (an allow-list, so a field Sinch
  // adds later is hidden by default).
  for (const k of Object.keys(body)) {
    const v = body[k];
    if (k === "media" && Array.isArray(v)) put(body, k, v.map(maskMedia));
    else put(body, k, maskText(v));
  }
  return body;
}

const PHONE_FIELDS = ["from", "to", "recipient", "applied_originator"] as const;

function redactRecord(r: Rec): void {
  for (const k of PHONE_FIELDS) if (Object.hasOwn(r, k)) put(r, k, maskPhone(r[k]));
  // Top-level `recipients` is not a Sinch field, but a phone list anywhere obvious is masked.
  if (Object.hasOwn(r, "recipients")) put(r, "recipients", maskPhones(r.recipients));
  const statuses = get(r, "statuses");
  if (Array.isArray(statuses)) {
    for (const e of statuses) if (isRecord(e) && Object.hasOwn(e, "recipients")) put(e, "recipients", maskPhones(e.recipients));
  }
  if (Object.hasOwn(r, "body")) put(r, "body", maskBody(r.body, get(r, "type") === "mo_binary"));
}

/**
 * A deep copy of `payload` with phone numbers (from, to, recipient, applied_originator, every
 * recipients list) masked by redactPhone and message content masked: text bodies, MMS subject and
 * message via redactText, media URLs cut to their origin, binary bodies zeroed. Ids, timestamps,
 * statuses and codes are kept. The input is never modified.
 */
export function redactPayload(payload: unknown): unknown {
  try {
    const copy = deepCopy(payload);
    // An array is not a callback, but it may be a list of them (e.g. a recording).
    if (Array.isArray(copy)) {
      for (const item of copy) if (isRecord(item)) redactRecord(item);
    } else if (isRecord(copy)) {
      redactRecord(copy);
    }
    return copy;
  } catch {
    // Only values JSON cannot produce get here. Failing closed: nothing of the input leaks.
    return "[redacted: payload could not be copied]";
  }
}
