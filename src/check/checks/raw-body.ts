/**
 * raw-body-fidelity: Sinch signs the exact bytes it sends (sinch-callbacks.md §4.2: "never
 * re-serialized"). A verifier that hashes JSON.stringify(req.body) or json.dumps(payload) instead of the
 * raw body works for as long as Sinch's serializer happens to agree with the developer's, and then
 * refuses every real callback. Each variant here is valid JSON for a valid callback, formatted the way
 * some serializer might, and signed over its own raw bytes.
 */
import { SINCH_RETRIES } from "../../retry/schedule.js";
import { figure, is2xx, makeProbe, notesOf, statusRetried, statusSummary } from "../probe.js";
import type { CheckContext, CheckDefinition, Probe } from "../types.js";

export interface JsonStyle {
  /** Indentation per level; "" keeps everything on one line. */
  indent?: string;
  newline?: string;
  /** Text between a key and its value. */
  colon?: string;
  /** Text after each comma (compact JSON has none). */
  comma?: string;
  /** "/" written as "\/" (allowed by RFC 8259 §7, produced by PHP's json_encode, for one). */
  escapeSlash?: boolean;
  /** Every non-ASCII UTF-16 unit written as \uXXXX (emoji become surrogate pairs), as Python's json.dumps does by default. */
  escapeNonAscii?: boolean;
  /** Reorders an object's keys. */
  keyOrder?: (keys: string[]) => string[];
}

function quote(s: string, style: JsonStyle): string {
  let out = JSON.stringify(s);
  // JSON.stringify never writes "/" inside an escape, so every "/" here is a literal slash.
  if (style.escapeSlash) out = out.replace(/\//g, "\\/");
  if (style.escapeNonAscii) out = out.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return out;
}

/** Serializes `value` in the given style. The result always parses back to the same value. */
export function serialize(value: unknown, style: JsonStyle = {}, depth = 0): string {
  if (typeof value === "string") return quote(value, style);
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const indent = style.indent ?? "";
  const nl = indent === "" ? "" : (style.newline ?? "\n");
  const inner = nl + indent.repeat(depth + 1);
  const outer = nl + indent.repeat(depth);
  const comma = `,${style.comma ?? ""}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[${inner}${value.map((v) => serialize(v, style, depth + 1)).join(comma + inner)}${outer}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = style.keyOrder ? style.keyOrder(Object.keys(record)) : Object.keys(record);
  if (keys.length === 0) return "{}";
  const members = keys.map((k) => `${quote(k, style)}${style.colon ?? ":"}${serialize(record[k], style, depth + 1)}`);
  return `{${inner}${members.join(comma + inner)}${outer}}`;
}

interface Variant {
  label: string;
  sample: string;
  /** Adjusts the fresh sample so the formatting has something to bite on. */
  prepare?: (payload: Record<string, unknown>) => Record<string, unknown>;
  style: JsonStyle;
  /** Appended after the document (a trailing newline is valid JSON whitespace). */
  trailer?: string;
}

const NON_ASCII_TEXT = "Grüße aus Köln — 東京でも 👋🏽 ok?";

export const VARIANTS: readonly Variant[] = [
  { label: "compact (as Sinch sends it)", sample: "mo_text", style: {} },
  {
    label: "extra whitespace (tabs, CRLF, spaces around : and ,)",
    sample: "delivery_report_sms.full",
    style: { indent: "\t", newline: "\r\n", colon: " : ", comma: " " },
    trailer: "\r\n",
  },
  { label: "escaped slashes (\\/)", sample: "mo_media", style: { escapeSlash: true } },
  {
    label: "\\u escapes for non-ASCII text",
    sample: "mo_text",
    prepare: (p) => ({ ...p, body: NON_ASCII_TEXT }),
    style: { escapeNonAscii: true },
  },
  {
    label: "raw non-ASCII UTF-8",
    sample: "mo_text",
    prepare: (p) => ({ ...p, body: NON_ASCII_TEXT }),
    style: {},
  },
  {
    label: "unusual key order (type last)",
    sample: "recipient_delivery_report_sms",
    style: { keyOrder: (keys) => keys.toReversed() },
  },
];

const NAME = "raw-body-fidelity";

export const rawBodyFidelity: CheckDefinition = {
  name: NAME,
  summary: "valid signatures over unusual but valid JSON (whitespace, \\/, \\u escapes, non-ASCII, key order) are accepted",
  why:
    "Sinch signs the exact bytes it sends. A verifier that re-serialises the parsed JSON hashes different bytes and refuses real callbacks as soon as " +
    "Sinch's formatting differs from the developer's JSON library — a 401 Sinch never retries.",
  needs: "hmac",
  async run(ctx: CheckContext) {
    const probes: Probe[] = [];
    for (const variant of VARIANTS) {
      let payload = await ctx.sample(variant.sample);
      if (variant.prepare) payload = variant.prepare(payload);
      const body = Buffer.from(serialize(payload, variant.style) + (variant.trailer ?? ""), "utf8");
      const res = await ctx.send(body, await ctx.headersFor(body));
      probes.push(makeProbe(ctx, variant.label, res, is2xx(res) ? "pass" : "fail"));
    }

    const accepted = probes.filter((p) => p.verdict === "pass").length;
    const baseline = probes[0]!;
    const refusedVariants = probes.slice(1).filter((p) => p.verdict === "fail");
    const text = `${accepted}/${probes.length} formats accepted (${statusSummary(probes)})`;

    let explanation: string;
    if (accepted === probes.length) {
      explanation =
        "Every formatting of the same kind of callback was accepted with a signature over its own raw bytes, so the endpoint verifies what it received rather than what its JSON library would write. That is what Sinch's signature covers: the exact body bytes.";
    } else if (baseline.verdict === "fail") {
      explanation =
        "Even the compact body, formatted exactly as Sinch sends it, was refused, so this check cannot tell whether the verifier uses the raw bytes; fix what all-types-2xx and hmac-refuses-forgeries report first.";
    } else {
      const retried = refusedVariants.filter((p) => statusRetried(p.status)).length;
      const dropped = refusedVariants.length - retried;
      const fates: string[] = [];
      if (dropped > 0) fates.push("a 4xx is final, so Sinch drops the callback for good");
      if (retried > 0) fates.push(`a 5xx or no answer makes Sinch retry up to ${SINCH_RETRIES} times over 22 h 45 min, failing the same way each time, and then give up`);
      explanation =
        `The compact body was accepted, but ${refusedVariants.length} other formatting${refusedVariants.length === 1 ? " was" : "s were"} refused although each signature was valid over the bytes sent. ` +
        "This is what a verifier does when it hashes a re-serialised body (JSON.stringify(req.body), json.dumps(payload)) instead of the raw bytes: it works only while Sinch's formatting matches your JSON library's. " +
        `For a real callback, ${fates.join("; ")}. Fix: ` +
        "compute the HMAC over the raw body as received (express.raw({ type: 'application/json' }), request.get_data(), the raw request stream) and parse the JSON only after it verifies.";
    }
    return { name: NAME, verdict: accepted === probes.length ? "pass" : "fail", figure: figure(text, probes), details: notesOf(probes), explanation, probes };
  },
};
