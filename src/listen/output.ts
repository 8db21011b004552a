/**
 * Turns listener events into terminal lines (human) or one JSON object per line (--json).
 * Pure string builders; the command writes them.
 */
import { redactPayload, renderCallbackDetail, summarizeCallback } from "../render/callback.js";
import type { Theme } from "../render/theme.js";
import { formatSeconds } from "../retry/schedule.js";
import { describeSnsVia } from "../sns/unwrap.js";
import type { ListenEvent } from "./index.js";
import { expectedOffsetSeconds } from "./sinch-next.js";

export interface OutputOptions {
  redact: boolean;
  verbose: boolean;
  /** --filter: only these types are shown (all are still answered and recorded). */
  filter?: readonly string[];
}

const pad2 = (n: number): string => String(n).padStart(2, "0");
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function statusColor(theme: Theme, status: number): string {
  const s = String(status);
  if (status >= 200 && status < 300) return theme.green(s);
  if (status === 429 || status >= 500) return theme.yellow(s);
  return theme.red(s);
}

export function shouldShow(e: ListenEvent, opts: OutputOptions): boolean {
  if (!opts.filter || opts.filter.length === 0 || e.event !== "callback") return true;
  return e.decision.type !== null && opts.filter.includes(e.decision.type);
}

/** "retry #2, +10 s after first (Sinch's schedule: 10 s)" for a callback seen before. */
export function retryLabel(attempt: number, firstSeenMs: number, nowMs: number): string | null {
  if (attempt <= 1) return null;
  const after = Math.round((nowMs - firstSeenMs) / 1000);
  const expected = expectedOffsetSeconds(attempt - 1);
  const schedule = expected === null ? "" : `, Sinch's schedule says ${formatSeconds(expected)}`;
  return `retry #${attempt - 1}, +${formatSeconds(after)} after first${schedule}`;
}

export function renderHuman(e: ListenEvent, theme: Theme, opts: OutputOptions): string {
  const time = theme.dim(clockTime(e.receivedAt));
  if (e.event === "token") {
    const verdict = e.granted ? theme.green("token issued") : theme.red(`token refused: ${e.reason}`);
    return `${time} ${theme.cyan("oauth")} ${verdict} ${statusColor(theme, e.status)}\n`;
  }
  if (e.event === "not-allowed") {
    return `${time} ${theme.yellow(e.method)} ${e.path} ${statusColor(theme, e.status)} ${theme.dim("(only POST is a callback)")}\n`;
  }
  if (e.event === "sns") {
    const via = e.via ? ` ${theme.dim(describeSnsVia(e.via))}` : "";
    if (e.kind === "refused") return `${time} ${theme.cyan("sns")} ${theme.red("✗ refused")} ${statusColor(theme, e.status)} ${e.message}${via}\n`;
    const label = e.kind === "confirmation" ? "subscription confirmation" : "unsubscribe confirmation";
    return `${time} ${theme.cyan("sns")} ${label} ${statusColor(theme, e.status)} ${e.message}${via}\n`;
  }
  if (e.event === "record-error") {
    return `${time} ${theme.red("✗")} could not write recording ${e.path}: ${e.message}\n`;
  }
  if (e.event === "rejected") {
    const r = e.rejected;
    if (r.reason === "aborted") return `${time} ${theme.yellow("!")} ${r.method} ${r.path}: ${r.detail}\n`;
    return `${time} ${theme.red("✗")} ${r.method} ${r.path} ${statusColor(theme, r.status)} ${r.detail}\n`;
  }

  const d = e.decision;
  const lines: string[] = [];
  const type = d.type ?? (d.parseError ? "not JSON" : "no type");
  let verdict: string;
  if (d.auth.some((a) => !a.ok)) verdict = theme.red("✗ refused");
  else if (d.parseError) verdict = theme.red("✗ not JSON");
  else if (d.validation && !d.validation.ok) verdict = theme.red(`✗ invalid (${d.validation.errors.length} error${d.validation.errors.length === 1 ? "" : "s"})`);
  else if (d.validation && d.validation.warnings.length > 0) verdict = theme.yellow("✓ valid, with warnings");
  else verdict = theme.green("✓ valid");

  const summary = d.payload !== undefined ? summarizeCallback(d.payload, theme, { redact: opts.redact }) : "";
  const latency = theme.dim(`${e.latencyMs < 10 ? e.latencyMs.toFixed(1) : Math.round(e.latencyMs)} ms`);
  lines.push(`${time} ${theme.bold(type)} ${summary}`.trimEnd());
  let statusPart = `${verdict}  ${statusColor(theme, e.status)} ${latency}`;
  if (e.statusSource === "respond") statusPart += theme.dim(" (response mode)");
  lines.push(`  ${statusPart}  ${sinchColor(theme, e)}`);

  if (e.sns) lines.push(`  ${theme.cyan("⇄")} ${describeSnsVia(e.sns)}`);
  const retry = retryLabel(d.seen.attempt, d.seen.firstSeenMs, e.receivedAt);
  if (retry) lines.push(`  ${theme.magenta("↻")} ${retry}`);
  for (const a of d.auth) {
    if (!a.ok) lines.push(`  ${theme.red("✗")} ${a.scheme}: ${a.message}${theme.dim(" — a 4xx is final for Sinch: it will not retry")}`);
    for (const w of a.warnings) lines.push(`  ${theme.yellow("!")} ${a.scheme}: ${w}`);
  }
  if (d.parseError) lines.push(`  ${theme.red("✗")} body is not JSON: ${d.parseError.message} (line ${d.parseError.line}, column ${d.parseError.column})`);
  if (d.validation) {
    for (const err of d.validation.errors) lines.push(`  ${theme.red("✗")} ${err.message}`);
    for (const w of d.validation.warnings) lines.push(`  ${theme.yellow("!")} ${w.message}`);
  }
  if (e.forward) {
    const f = e.forward;
    const ms = `${f.latencyMs < 10 ? f.latencyMs.toFixed(1) : Math.round(f.latencyMs)} ms`;
    if (f.ok) lines.push(`  ${theme.cyan("⇢")} app answered ${statusColor(theme, f.status ?? 0)} in ${ms}`);
    else lines.push(`  ${theme.red("⇢ app unreachable:")} ${f.error?.message ?? "forward failed"} after ${ms}${e.statusSource === "app-unreachable" ? " — answered 503 so Sinch retries" : ""}`);
  }
  if (e.recordError) lines.push(`  ${theme.red("✗")} could not record: ${e.recordError}`);
  if (opts.verbose) {
    lines.push(theme.dim("  headers:"));
    for (const [k, v] of Object.entries(safeHeaders(e.headers))) lines.push(`    ${theme.dim(k + ":")} ${v}`);
    if (d.payload !== undefined) {
      for (const l of renderCallbackDetail(d.payload, theme, { redact: opts.redact }).split("\n")) lines.push(`  ${l}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Headers for display: credentials masked (the scheme stays, so "Basic" vs "Bearer" is still visible). */
export function safeHeaders(headers: import("node:http").IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    const value = Array.isArray(v) ? v.join(", ") : v;
    if (k === "authorization" || k === "proxy-authorization") out[k] = `${value.split(" ")[0] ?? ""} ••••••`;
    else if (k === "cookie") out[k] = "••••••";
    else out[k] = value;
  }
  return out;
}

function sinchColor(theme: Theme, e: Extract<ListenEvent, { event: "callback" }>): string {
  const c = e.sinch.outcome.class;
  const text = e.sinch.text;
  return c === "delivered" ? theme.green(text) : c === "retry" ? theme.yellow(text) : theme.red(text);
}

/** One JSON object per line. Secrets never appear: auth messages carry reasons, not credentials. */
export function renderJson(e: ListenEvent, opts: OutputOptions): string {
  if (e.event !== "callback") {
    const { receivedAt, ...rest } = e;
    return JSON.stringify({ ...rest, time: new Date(receivedAt).toISOString() }) + "\n";
  }
  const d = e.decision;
  const out = {
    event: "callback",
    seq: e.seq,
    time: new Date(e.receivedAt).toISOString(),
    method: e.method,
    path: e.path,
    type: d.type,
    valid: d.validation ? d.validation.ok : false,
    parse_error: d.parseError ?? null,
    errors: d.validation?.errors ?? [],
    warnings: d.validation?.warnings ?? [],
    auth: d.auth,
    attempt: d.seen.attempt,
    first_seen: new Date(d.seen.firstSeenMs).toISOString(),
    status: e.status,
    status_source: e.statusSource,
    latency_ms: Math.round(e.latencyMs * 100) / 100,
    forward: e.forward ? { ok: e.forward.ok, status: e.forward.status ?? null, latency_ms: Math.round(e.forward.latencyMs * 100) / 100, error: e.forward.error ?? null } : null,
    sinch: {
      outcome: e.sinch.outcome.class,
      reason: e.sinch.outcome.reason,
      assumption: e.sinch.outcome.assumption,
      lowers_rate: e.sinch.outcome.lowersRate,
      next_retry: e.sinch.nextRetry ?? null,
      exhausted: e.sinch.exhausted ?? false,
      text: e.sinch.text,
    },
    sns: e.sns ?? null,
    record_path: e.recordPath ?? null,
    record_error: e.recordError ?? null,
    payload: d.payload === undefined ? null : opts.redact ? redactPayload(d.payload) : d.payload,
  };
  return JSON.stringify(out) + "\n";
}
