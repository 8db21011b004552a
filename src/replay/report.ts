/**
 * Everything `replay` prints or writes about results, as pure string builders: one line per request,
 * the summary (counts per status, p50 / p95 / max latency, failures), JSON lines and JUnit XML.
 * No header values appear in any of them, so no credential or secret can leak through a report.
 */
import { sinchNext } from "../listen/sinch-next.js";
import type { Theme } from "../render/theme.js";
import { classifyTransportFailure, type Outcome, type TransportFailure } from "../retry/policy.js";
import { SINCH_RETRIES, formatSeconds, retrySchedule } from "../retry/schedule.js";

export interface RequestResult {
  seq: number;
  label: string;
  name: string;
  round: number;
  type: string | null;
  /** Schema verdict of the payload; null when the body is not JSON (a recording sent with --allow-invalid). */
  valid: boolean | null;
  path: string;
  /** Epoch ms when the request started. */
  startedAt: number;
  latencyMs: number;
  status?: number;
  /** Set when no answer came: what went wrong on the way. */
  error?: { kind: TransportFailure; message: string; code?: string };
  /** Cut short by Ctrl-C while in flight: neither answered nor a failure of the endpoint. */
  aborted?: boolean;
  /** --expect verdict; null without --expect, or when there was no answer to judge. */
  expected: boolean | null;
  sinch: { outcome: Outcome; text: string };
  /** HMAC nonce sent, so a line can be matched with the receiver's log (a nonce is not a secret). */
  nonce?: string;
  /** Start of the response body, kept only for answers that missed --expect (for the JUnit report). */
  responseExcerpt?: string;
}

const firstRetry = retrySchedule("sinch")[0]!;

/**
 * What Sinch would do with this answer, in `listen`'s words (the first attempt of a callback). For no
 * answer at all, Sinch documents nothing; the tool treats it like a 5xx (Decisions b) and says so.
 */
export function sinchAnnotation(status: number | undefined, failure?: TransportFailure): { outcome: Outcome; text: string } {
  if (status !== undefined) {
    const next = sinchNext(status, 1);
    return { outcome: next.outcome, text: next.text };
  }
  const outcome = classifyTransportFailure(failure ?? "other");
  return {
    outcome,
    text: `→ Sinch retries in ${formatSeconds(firstRetry.gapSeconds)} (retry 1 of ${SINCH_RETRIES}; assumption: Sinch does not document ${outcome.reason}, treated like a 5xx)`,
  };
}

export function formatMs(ms: number): string {
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

function statusColor(theme: Theme, status: number): string {
  const s = String(status);
  if (status >= 200 && status < 300) return theme.green(s);
  if (status === 429 || status >= 500) return theme.yellow(s);
  return theme.red(s);
}

function sinchColor(theme: Theme, r: RequestResult): string {
  const c = r.sinch.outcome.class;
  return c === "delivered" ? theme.green(r.sinch.text) : c === "retry" ? theme.yellow(r.sinch.text) : theme.red(r.sinch.text);
}

/** "✓ m.json mo_text 200 1.2 ms → delivered", without a trailing newline. */
export function renderLine(r: RequestResult, theme: Theme, expectText?: string): string {
  const type = theme.bold(r.type ?? "(no type)");
  const invalid = r.valid === false ? ` ${theme.red("(invalid)")}` : r.valid === null ? ` ${theme.red("(not JSON)")}` : "";
  if (r.aborted) return `${theme.yellow("!")} ${r.label} ${type}${invalid} ${theme.yellow("interrupted")} after ${formatMs(r.latencyMs)}`;
  if (r.status === undefined) {
    return `${theme.red("✗")} ${r.label} ${type}${invalid} ${theme.red(r.error?.message ?? "no answer")} after ${formatMs(r.latencyMs)} ${sinchColor(theme, r)}`;
  }
  let mark: string;
  if (r.expected === true) mark = theme.green("✓");
  else if (r.expected === false) mark = theme.red("✗");
  else mark = r.status >= 200 && r.status < 300 ? theme.green("✓") : theme.yellow("!");
  const missed = r.expected === false && expectText ? ` ${theme.red(`(expected ${expectText})`)}` : "";
  return `${mark} ${r.label} ${type}${invalid} ${statusColor(theme, r.status)} ${theme.dim(formatMs(r.latencyMs))} ${sinchColor(theme, r)}${missed}`;
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Failure {
  seq: number;
  label: string;
  type: string | null;
  reason: string;
}

export interface ReplaySummary {
  target: string;
  planned: number;
  sent: number;
  answered: number;
  /** Sent, but no answer came (refused, reset, timeout…). */
  noAnswer: number;
  /** Never sent, or cut off in flight, because the run was interrupted. */
  notSent: number;
  interrupted: boolean;
  statuses: Record<string, number>;
  noAnswerByReason: Record<string, number>;
  latency: { p50: number; p95: number; max: number } | null;
  expect: string | null;
  met: number;
  missed: number;
  durationMs: number;
  concurrency: number;
  failures: Failure[];
}

/** Failures listed in a summary; the counts always cover all of them. */
export const MAX_LISTED_FAILURES = 100;

export function failureReason(r: RequestResult, expectText?: string): string | null {
  if (r.aborted) return null;
  if (r.status === undefined) return `no answer: ${r.error?.message ?? "unknown error"}`;
  if (r.expected === false) return `got ${r.status}, expected ${expectText ?? "?"}`;
  return null;
}

export function summarize(
  results: ReadonlyArray<RequestResult | undefined>,
  opts: { target: string; expect?: string; durationMs: number; concurrency: number; interrupted: boolean },
): ReplaySummary {
  const statuses = new Map<number, number>();
  const noAnswerByReason: Record<string, number> = {};
  const latencies: number[] = [];
  const failures: Failure[] = [];
  let sent = 0;
  let answered = 0;
  let noAnswer = 0;
  let notSent = 0;
  let met = 0;
  let missed = 0;
  for (const r of results) {
    if (r === undefined || r.aborted) {
      notSent++;
      if (r) sent++;
      continue;
    }
    sent++;
    if (r.status === undefined) {
      noAnswer++;
      const reason = classifyTransportFailure(r.error?.kind ?? "other").reason;
      noAnswerByReason[reason] = (noAnswerByReason[reason] ?? 0) + 1;
    } else {
      answered++;
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      latencies.push(r.latencyMs);
      if (r.expected === true) met++;
      if (r.expected === false) missed++;
    }
    const reason = failureReason(r, opts.expect);
    if (reason !== null && failures.length < MAX_LISTED_FAILURES) failures.push({ seq: r.seq, label: r.label, type: r.type, reason });
  }
  latencies.sort((a, b) => a - b); // in place: a copy of every latency would double the memory of a big run
  return {
    target: opts.target,
    planned: results.length,
    sent,
    answered,
    noAnswer,
    notSent,
    interrupted: opts.interrupted,
    statuses: Object.fromEntries([...statuses].toSorted((a, b) => a[0] - b[0]).map(([s, n]) => [String(s), n])),
    noAnswerByReason,
    latency: latencies.length === 0 ? null : { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies.at(-1)! },
    expect: opts.expect ?? null,
    met,
    missed,
    durationMs: opts.durationMs,
    concurrency: opts.concurrency,
    failures,
  };
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function renderSummary(s: ReplaySummary, theme: Theme): string {
  const lines: string[] = [];
  const secs = s.durationMs / 1000;
  const rate = secs > 0 ? ` (${(s.sent / secs).toFixed(s.sent / secs < 10 ? 1 : 0)}/s)` : "";
  lines.push(`${theme.bold(plural(s.sent, "request"))} to ${s.target} in ${secs < 10 ? secs.toFixed(2) : secs.toFixed(1)} s${rate}, concurrency ${s.concurrency}`);
  const statuses = Object.entries(s.statuses).map(([st, n]) => `${statusColor(theme, Number(st))} ×${n}`);
  const noAnswer = Object.entries(s.noAnswerByReason).map(([reason, n]) => theme.red(`${reason} ×${n}`));
  if (statuses.length + noAnswer.length > 0) lines.push(`  answers   ${[...statuses, ...noAnswer].join(" · ")}`);
  if (s.latency) lines.push(`  latency   p50 ${formatMs(s.latency.p50)} · p95 ${formatMs(s.latency.p95)} · max ${formatMs(s.latency.max)}`);
  if (s.expect !== null) {
    const verdict = s.missed === 0 ? theme.green(`all ${s.met} answered ${s.expect}`) : theme.red(`${s.missed} of ${s.answered} missed ${s.expect}`);
    lines.push(`  expect    ${verdict}`);
  }
  if (s.interrupted) lines.push(`  ${theme.yellow("interrupted:")} ${plural(s.notSent, "request")} not sent or cut off`);
  const failed = s.noAnswer + s.missed;
  if (failed > 0) {
    lines.push(`  ${theme.red(`failed (${failed})`)}`);
    for (const f of s.failures) lines.push(`    ${theme.red("✗")} #${f.seq} ${f.label} (${f.type ?? "no type"}): ${f.reason}`);
    if (failed > s.failures.length) lines.push(`    … and ${failed - s.failures.length} more`);
  }
  return lines.join("\n") + "\n";
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

export function requestJson(r: RequestResult, url: string): string {
  return (
    JSON.stringify({
      event: "request",
      seq: r.seq,
      name: r.name,
      round: r.round,
      type: r.type,
      valid: r.valid,
      time: new Date(r.startedAt).toISOString(),
      method: "POST",
      url,
      status: r.status ?? null,
      latency_ms: round2(r.latencyMs),
      error: r.aborted ? { kind: "interrupted", message: "interrupted" } : (r.error ?? null),
      expected: r.expected,
      sinch: { outcome: r.sinch.outcome.class, reason: r.sinch.outcome.reason, assumption: r.sinch.outcome.assumption, text: r.sinch.text },
      nonce: r.nonce ?? null,
    }) + "\n"
  );
}

export function summaryJson(s: ReplaySummary, exitCode: number): string {
  return (
    JSON.stringify({
      event: "summary",
      target: s.target,
      planned: s.planned,
      sent: s.sent,
      answered: s.answered,
      no_answer: s.noAnswer,
      not_sent: s.notSent,
      interrupted: s.interrupted,
      statuses: s.statuses,
      no_answer_by_reason: s.noAnswerByReason,
      latency_ms: s.latency ? { p50: round2(s.latency.p50), p95: round2(s.latency.p95), max: round2(s.latency.max) } : null,
      expect: s.expect,
      met: s.met,
      missed: s.missed,
      duration_ms: round2(s.durationMs),
      rate_per_s: s.durationMs > 0 ? round2(s.sent / (s.durationMs / 1000)) : null,
      concurrency: s.concurrency,
      failures: s.failures,
      exit_code: exitCode,
    }) + "\n"
  );
}

// ---------------------------------------------------------------------------------------------
// JUnit XML (the de-facto schema CI systems read: testsuites > testsuite > testcase > failure|error|skipped)

// Characters XML 1.0 cannot carry at all, even escaped: controls other than tab/LF/CR, lone surrogates,
// U+FFFE/U+FFFF. They are replaced, so a hostile file name or response cannot break the report.
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlText(s: string): string {
  return s.replace(NOT_XML, "\uFFFD").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function xmlAttr(s: string): string {
  // Newlines and tabs are escaped too: a parser would otherwise normalise them to spaces in attributes.
  return xmlText(s).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
}

export interface JunitCase {
  seq: number;
  label: string;
  type: string | null;
  result?: RequestResult;
}

/**
 * One testcase per planned request. A missed --expect is a <failure>; no answer at all is an <error>
 * (the check could not be made); a request Ctrl-C kept from completing is <skipped>.
 */
export function renderJunit(cases: readonly JunitCase[], s: ReplaySummary, opts: { startedAt: number; expectText?: string }): string {
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const body: string[] = [];
  for (const c of cases) {
    const r = c.result;
    const name = `#${c.seq} ${c.label}`;
    const classname = `sinch-hooks.replay.${c.type ?? "unknown"}`;
    const time = r && !r.aborted ? (r.latencyMs / 1000).toFixed(3) : "0";
    const open = `    <testcase name="${xmlAttr(name)}" classname="${xmlAttr(classname)}" time="${time}"`;
    if (!r || r.aborted) {
      skipped++;
      body.push(`${open}>\n      <skipped message="${xmlAttr(r ? "interrupted in flight" : "not sent: interrupted")}"/>\n    </testcase>`);
    } else if (r.status === undefined) {
      errors++;
      const message = `no answer: ${r.error?.message ?? "unknown error"}`;
      body.push(`${open}>\n      <error message="${xmlAttr(message)}" type="${xmlAttr(r.error?.kind ?? "other")}">${xmlText(`${message}\n${r.sinch.text}`)}</error>\n    </testcase>`);
    } else if (r.expected === false) {
      failures++;
      const message = `expected ${opts.expectText ?? "?"}, got ${r.status}`;
      const detail = [message, r.sinch.text, r.responseExcerpt ? `response: ${r.responseExcerpt}` : ""].filter(Boolean).join("\n");
      body.push(`${open}>\n      <failure message="${xmlAttr(message)}" type="expectation">${xmlText(detail)}</failure>\n    </testcase>`);
    } else {
      body.push(`${open}/>`);
    }
  }
  const secs = (s.durationMs / 1000).toFixed(3);
  const suiteName = `sinch-hooks replay → ${s.target}`;
  const counts = `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${secs}"`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="sinch-hooks replay" ${counts}>`,
    `  <testsuite name="${xmlAttr(suiteName)}" ${counts} timestamp="${new Date(opts.startedAt).toISOString()}">`,
    ...body,
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}
