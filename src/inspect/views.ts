/**
 * What the inspector shows, as plain data: list summaries, the detail of one delivery, the curl command
 * and the fixture download. Pure functions over stored callbacks, so the JSON API, the SSE stream and the
 * tests all read the same shapes. The page renders these with textContent only: every string that came
 * from a request is attacker-controlled (anyone with the tunnel URL can post).
 */
import type { ForwardResult } from "../listen/forward.js";
import { targetPath } from "../listen/forward.js";
import { toRecording } from "../listen/index.js";
import { retryLabel, safeHeaders } from "../listen/output.js";
import { recordingFileName } from "../listen/recorder.js";
import type { Recording } from "../listen/recording.js";
import { summarizeCallback } from "../render/callback.js";
import { createTheme } from "../render/theme.js";
import { shellQuote } from "../sign/command.js";
import type { ReplayRecord, StoredCallback } from "./history.js";

const plain = createTheme(false);

export type Tone = "ok" | "warn" | "bad";

export interface Verdict {
  /** Words, not colours: the page must read the same without colour (issue #9, accessibility). */
  word: string;
  tone: Tone;
}

export interface CallbackSummary {
  id: number;
  group: number;
  time: string;
  method: string;
  path: string;
  type: string;
  /** Key fields on one line (numbers, text, ids; masked under --redact). */
  fields: string;
  verdict: Verdict;
  status: number;
  statusTone: Tone;
  statusSource: string;
  attempt: number;
  sinch: { outcome: string; text: string };
}

export interface ViewOptions {
  redact: boolean;
  toolVersion?: string;
}

export function verdictOf(entry: StoredCallback): Verdict {
  const d = entry.event.decision;
  if (d.auth.some((a) => !a.ok)) return { word: "refused", tone: "bad" };
  if (d.parseError) return { word: "not JSON", tone: "bad" };
  if (d.validation && !d.validation.ok) {
    const n = d.validation.errors.length;
    return { word: `invalid (${n} error${n === 1 ? "" : "s"})`, tone: "bad" };
  }
  if (d.validation && d.validation.warnings.length > 0) return { word: "valid, with warnings", tone: "warn" };
  return { word: "valid", tone: "ok" };
}

function statusTone(status: number): Tone {
  if (status >= 200 && status < 300) return "ok";
  if (status === 429 || status >= 500) return "warn";
  return "bad";
}

export function summarize(entry: StoredCallback, opts: ViewOptions): CallbackSummary {
  const e = entry.event;
  const d = e.decision;
  return {
    id: entry.id,
    group: entry.groupId,
    time: new Date(e.receivedAt).toISOString(),
    method: e.method,
    path: e.path,
    type: d.type ?? (d.parseError ? "not JSON" : "no type"),
    fields: d.payload !== undefined ? summarizeCallback(d.payload, plain, { redact: opts.redact }) : "",
    verdict: verdictOf(entry),
    status: e.status,
    statusTone: statusTone(e.status),
    statusSource: e.statusSource,
    attempt: d.seen.attempt,
    sinch: { outcome: e.sinch.outcome.class, text: e.sinch.text },
  };
}

export interface ForwardView {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
}

function forwardView(f: ForwardResult): ForwardView {
  return { ok: f.ok, status: f.status ?? null, latencyMs: Math.round(f.latencyMs * 100) / 100, error: f.error?.message ?? null };
}

export function replayView(r: ReplayRecord): ForwardView & { at: string } {
  return { at: new Date(r.at).toISOString(), ...forwardView(r.result) };
}

export interface CallbackDetail extends CallbackSummary {
  /** False when the listener kept it from the app (refused, not JSON, --strict): such a callback is not replayed. */
  accepted: boolean;
  latencyMs: number;
  /** Display copy: authorization and cookies masked (listen/output.ts safeHeaders). */
  headers: Record<string, string>;
  /** The body as the fixture holds it: raw text, or the masked JSON under --redact. */
  body: { text: string | null; base64: string | null; bytes: number; redacted: boolean };
  parseError: { message: string; line: number; column: number } | null;
  errors: { pointer: string; message: string; keyword: string }[];
  warnings: { pointer: string; message: string; keyword: string }[];
  auth: { scheme: string; ok: boolean; message: string; warnings: string[] }[];
  forward: ForwardView | null;
  retry: string | null;
  sinch: { outcome: string; text: string };
  recordPath: string | null;
  /** Every delivery of the same callback still in history, oldest first. */
  deliveries: { id: number; time: string; status: number; attempt: number }[];
  replays: (ForwardView & { at: string })[];
}

export function detail(entry: StoredCallback, group: StoredCallback[], opts: ViewOptions): CallbackDetail {
  const e = entry.event;
  const d = e.decision;
  const rec = fixtureOf(entry, opts).recording;
  return {
    ...summarize(entry, opts),
    accepted: d.accepted,
    latencyMs: Math.round(e.latencyMs * 100) / 100,
    headers: safeHeaders(e.headers),
    body: { text: rec.body ?? null, base64: rec.body_base64 ?? null, bytes: e.body.length, redacted: rec.redacted },
    parseError: d.parseError ?? null,
    errors: d.validation?.errors ?? [],
    warnings: d.validation?.warnings ?? [],
    auth: d.auth.map((a) => ({ scheme: a.scheme, ok: a.ok, message: a.message, warnings: a.warnings })),
    forward: e.forward ? forwardView(e.forward) : null,
    retry: retryLabel(d.seen.attempt, d.seen.firstSeenMs, e.receivedAt),
    recordPath: e.recordPath ?? null,
    deliveries: group.map((g) => ({ id: g.id, time: new Date(g.event.receivedAt).toISOString(), status: g.event.status, attempt: g.event.decision.seen.attempt })),
    replays: entry.replays.map(replayView),
  };
}

/** The same recording `listen --record` writes for this callback, and the file name it would get. */
export function fixtureOf(entry: StoredCallback, opts: ViewOptions): { fileName: string; recording: Recording } {
  const e = entry.event;
  const recording = toRecording({ method: e.method, path: e.path, headers: e.headers, body: e.body }, e.decision, e.status, e.receivedAt, opts);
  return { fileName: recordingFileName(recording, entry.id), recording };
}

const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization"];

/**
 * A curl command that re-sends this callback: to the forward target when there is one (that is where a
 * developer wants to poke), else to the listener itself. Headers are the recording's (no cookies, no
 * hop-by-hop ones); credentials keep their scheme but lose their value, so the command is safe to paste
 * into a chat and says what to fill in.
 */
export function curlCommand(entry: StoredCallback, target: { forwardTo?: URL; listenerUrl: string }, opts: ViewOptions): string {
  const e = entry.event;
  const rec = fixtureOf(entry, opts).recording;
  const url = target.forwardTo ? new URL(targetPath(target.forwardTo, e.path), target.forwardTo.origin).toString() : `${target.listenerUrl}${e.path.startsWith("/") ? e.path : `/${e.path}`}`;
  const headers: [string, string][] = Object.entries(rec.headers);
  for (const name of CREDENTIAL_HEADERS) {
    const v = e.headers[name];
    if (v === undefined) continue;
    const scheme = String(Array.isArray(v) ? v[0] : v).split(" ")[0] ?? "";
    headers.push([name, `${scheme} <redacted>`.trim()]);
  }
  const parts = [`curl -sS -X ${e.method} ${shellQuote(url)}`, ...headers.map(([k, v]) => `-H ${shellQuote(`${k}: ${v}`)}`)];
  const text = rec.body;
  // A shell word cannot carry NUL and the body must be byte-exact: non-text bodies go through base64.
  if (text !== undefined && !text.includes("\u0000")) {
    parts.push(`--data-binary ${shellQuote(text)}`);
    return parts.join(" \\\n  ");
  }
  parts.push("--data-binary @-");
  return `printf '%s' ${shellQuote(rec.body_base64 ?? "")} | base64 -d | ${parts.join(" \\\n  ")}`;
}
