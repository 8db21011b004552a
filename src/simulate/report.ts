/**
 * simulate-retries output, as pure string and object builders: the schedule table, one timeline per
 * callback (attempt, offset, status, latency, what Sinch does next), outcome lines, the rate model's
 * timeline, the summary, and the --json objects. The command writes them.
 *
 * Wording follows listen's annotations (src/listen/sinch-next.ts): "→ Sinch retries in 5 s (retry 1 of
 * 15)", "→ dropped for good …". Anything Sinch does not document is labelled as an assumption
 * (shared/reference/sinch-callbacks.md Decisions b) and the rate as a model (Decisions c).
 */
import type { Theme } from "../render/theme.js";
import type { AttemptRecord, CallbackRun, SimulationResult } from "./engine.js";
import { formatCompactOffset, formatDuration, formatLatency, formatOffset, formatRate } from "./format.js";
import type { ClockSpec } from "./options.js";
import { missedExpectations, type Expectations, type FinalOutcome, type ResolvedSchedule } from "./plan.js";
import type { RateChange } from "./rate.js";

export interface ReportContext {
  theme: Theme;
  /** Display name and type of each callback, by index. */
  names: readonly string[];
  types: readonly (string | null)[];
  schedule: ResolvedSchedule;
  clock: ClockSpec;
  reuseSignature: boolean;
  ratePerSecond?: number;
  expect: Expectations;
}

/** Above this many callbacks the text report groups them by outcome; --json and --junit keep every attempt. */
export const FULL_TIMELINES_UP_TO = 10;
const RATE_ROWS = 20;

export function clockLabel(clock: ClockSpec): string {
  return clock.kind === "scaled" ? `scaled:${clock.factor}` : clock.kind;
}

export function describeClock(clock: ClockSpec): string {
  if (clock.kind === "virtual") return "virtual: attempts go out back to back and are reported at their schedule offsets";
  if (clock.kind === "real") return "real: waits Sinch's schedule for real";
  return `scaled: ${clock.factor}× faster than real time`;
}

/** Offsets need milliseconds when the schedule has sub-second gaps or the rate model shifts attempts. */
function needsMs(ctx: Pick<ReportContext, "schedule" | "ratePerSecond">): boolean {
  return ctx.ratePerSecond !== undefined || ctx.schedule.attempts.some((a) => a.offsetMs % 1000 !== 0);
}

// ---------------------------------------------------------------------------------------------
// --print-schedule

export function renderSchedule(schedule: ResolvedSchedule, theme: Theme): string {
  const withMs = schedule.attempts.some((a) => a.offsetMs % 1000 !== 0);
  const lines = [`${theme.bold("Schedule")} ${schedule.name}: ${schedule.description}${schedule.cappedAt !== undefined ? ` (capped by --max-retries ${schedule.cappedAt})` : ""}`];
  lines.push(theme.dim(`  ${"attempt".padStart(7)}  ${"offset".padEnd(withMs ? 16 : 12)} gap`));
  for (const a of schedule.attempts) {
    lines.push(`  ${String(a.attempt).padStart(7)}  ${formatOffset(a.offsetMs, withMs).padEnd(withMs ? 16 : 12)} ${a.attempt === 1 ? theme.dim("— (first try)") : formatDuration(a.gapMs)}`);
  }
  const last = schedule.attempts.at(-1)!;
  const retries = schedule.attempts.length - 1;
  lines.push(`${schedule.attempts.length} attempt${schedule.attempts.length === 1 ? "" : "s"}: the first try and ${retries} retr${retries === 1 ? "y" : "ies"}, the last at ${formatCompactOffset(last.offsetMs)}.`);
  if (schedule.name !== "custom") lines.push(theme.dim('Sinch\'s wording fits two readings; see the README, "What Sinch does not document".'));
  return lines.join("\n") + "\n";
}

export function scheduleJson(schedule: ResolvedSchedule): object[] {
  return schedule.attempts.map((a) => ({ event: "schedule", schedule: schedule.name, attempt: a.attempt, offset_ms: a.offsetMs, offset: formatOffset(a.offsetMs, a.offsetMs % 1000 !== 0), gap_ms: a.gapMs }));
}

// ---------------------------------------------------------------------------------------------
// Attempts

function statusText(r: AttemptRecord): string {
  if (r.status !== undefined) return String(r.status);
  if (r.error) return r.error.kind === "other" ? "error" : r.error.kind;
  return "—";
}

function statusColor(theme: Theme, r: AttemptRecord, text: string): string {
  if (r.outcome === null) return theme.dim(text);
  if (r.outcome.class === "delivered") return theme.green(text);
  if (r.outcome.class === "retry") return theme.yellow(text);
  return theme.red(text);
}

/** "→ Sinch retries in 5 s (retry 1 of 15)" and the labels that go with it. */
export function decisionText(r: AttemptRecord, ctx: Pick<ReportContext, "reuseSignature" | "ratePerSecond">): { text: string; notes: string[] } {
  const notes: string[] = [];
  const o = r.outcome;
  const d = r.decision;
  if (o === null || d === null) return { text: "→ stopped (Ctrl-C) before an answer arrived", notes };
  let text: string;
  if (d.kind === "delivered") text = "→ delivered";
  else if (d.kind === "dropped") {
    text = o.assumption ? `→ dropped (assumption: Sinch does not document ${o.reason}; treated as final)` : "→ dropped for good (a 4xx other than 429 is final for Sinch)";
  } else if (d.kind === "retry") text = `→ Sinch retries in ${formatDuration(d.inMs)} (retry ${d.retry} of ${d.of})`;
  else text = r.attempt === 1 ? "→ Sinch gives up: the schedule has no retries" : `→ Sinch gives up: that was its last retry (${r.attempt - 1} of ${r.attempt - 1})`;

  if (o.class === "retry" && o.assumption) notes.push(`assumption: Sinch does not document ${o.reason}; retried like a 5xx`);
  if (o.lowersRate) {
    notes.push(r.rateChange ? `429: rate ${formatRate(r.rateChange.from)} → ${formatRate(r.rateChange.to)} (model)` : ctx.ratePerSecond === undefined ? "429: Sinch lowers its callback rate (pass --rate to model it)" : "429: rate already at the model's floor");
  } else if (r.rateChange) {
    notes.push(`rate ${formatRate(r.rateChange.from)} → ${formatRate(r.rateChange.to)} (model)`);
  }
  if (r.pacedMs > 0) notes.push(`waited ${formatDuration(r.pacedMs)} for the rate`);
  if (r.heldMs > 0) notes.push("late because the previous answer took longer than the gap");
  if (ctx.reuseSignature && r.attempt > 1) {
    notes.push(`same signature as attempt 1, ${formatDuration(r.offsetMs)} old on Sinch's timeline`);
    if (r.status === 401 || r.status === 403) notes.push("your endpoint refused a repeated signature: if Sinch repeats its headers on retries (unconfirmed), this callback is lost");
  }
  return { text, notes };
}

export function renderAttempt(r: AttemptRecord, ctx: ReportContext, withMs: boolean): string {
  const { theme } = ctx;
  const { text, notes } = decisionText(r, ctx);
  const st = statusText(r);
  const late = ctx.clock.kind === "virtual" ? "" : `${theme.dim(`+${formatLatency(realLateMs(r, ctx.clock))}`.padEnd(11))} `;
  const latency = r.outcome === null && r.latencyMs === 0 ? "—" : formatLatency(r.latencyMs);
  const note = notes.length ? theme.dim(` · ${notes.join(" · ")}`) : "";
  return `  ${String(r.attempt).padStart(7)}  ${formatOffset(r.offsetMs, withMs).padEnd(withMs ? 16 : 12)} ${statusColor(theme, r, st.padEnd(8))}${latency.padEnd(10)} ${late}${text}${note}\n`;
}

/** Lateness in real milliseconds (a scaled clock's milliseconds pass `factor` times faster). */
export function realLateMs(r: AttemptRecord, clock: ClockSpec): number {
  return clock.kind === "scaled" ? r.lateMs / clock.factor : r.lateMs;
}

// ---------------------------------------------------------------------------------------------
// Outcomes

/** `delivered on attempt 3 at T+10s`, `dropped on attempt 1 (400)`, `exhausted after 16 attempts (T+22h45m20s)`. */
export function outcomeText(o: FinalOutcome): string {
  const n = o.attempts;
  if (o.kind === "delivered") return `delivered on attempt ${n} at ${formatCompactOffset(o.offsetMs)}`;
  if (o.kind === "dropped") return `dropped on attempt ${n} (${o.status ?? "no status"})`;
  if (o.kind === "exhausted") return `exhausted after ${n} attempt${n === 1 ? "" : "s"} (${formatCompactOffset(o.offsetMs)})`;
  return n === 0 ? "interrupted before the first attempt" : `interrupted after ${n} attempt${n === 1 ? "" : "s"} (${formatCompactOffset(o.offsetMs)}), before Sinch's outcome was known`;
}

function hasExpectations(e: Expectations): boolean {
  return e.outcome !== undefined || e.attempts !== undefined;
}

export function renderOutcome(run: CallbackRun, ctx: ReportContext): string {
  const { theme } = ctx;
  const k = run.outcome.kind;
  const mark = k === "delivered" ? theme.green("✓") : k === "interrupted" ? theme.yellow("!") : theme.red("✗");
  let line = `  ${mark} ${outcomeText(run.outcome)}`;
  if (hasExpectations(ctx.expect)) {
    const missed = missedExpectations(run.outcome, ctx.expect);
    line += missed.length === 0 ? theme.green(" — as expected") : theme.red(` — MISSED: ${missed.join("; ")}`);
  }
  return line + "\n";
}

export function renderTimeline(run: CallbackRun, ctx: ReportContext): string {
  const { theme } = ctx;
  const withMs = needsMs(ctx);
  const type = ctx.types[run.index];
  let out = `${theme.bold(ctx.names[run.index] ?? `#${run.index + 1}`)}${type ? theme.dim(`  ${type}`) : ""}\n`;
  if (run.attempts.length > 0) {
    const late = ctx.clock.kind === "virtual" ? "" : `${"late".padEnd(11)} `;
    out += theme.dim(`  ${"attempt".padStart(7)}  ${"offset".padEnd(withMs ? 16 : 12)} ${"status".padEnd(8)}${"latency".padEnd(10)} ${late}what Sinch does`) + "\n";
    for (const r of run.attempts) out += renderAttempt(r, ctx, withMs);
  }
  return out + renderOutcome(run, ctx);
}

/** Every timeline for a few callbacks; for many, one example timeline per distinct outcome and a count. */
export function renderTimelines(result: SimulationResult, ctx: ReportContext): string {
  if (result.callbacks.length <= FULL_TIMELINES_UP_TO) return result.callbacks.map((c) => renderTimeline(c, ctx)).join("\n");
  const groups = new Map<string, CallbackRun[]>();
  for (const c of result.callbacks) {
    const key = `${c.outcome.kind}:${c.outcome.attempts}`;
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  const sorted = [...groups.values()].toSorted((a, b) => b.length - a.length);
  let out = `${result.callbacks.length} callbacks, grouped by outcome (--json and --junit have every attempt):\n`;
  for (const g of sorted) out += `  ${String(g.length).padStart(6)} × ${outcomeText(g[0]!.outcome)}\n`;
  out += "\nOne example per outcome:\n\n";
  out += sorted.map((g) => renderTimeline(g[0]!, ctx)).join("\n");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rate model

export function rateModelDescription(ceiling: number): string {
  return `a model of Sinch's throttling, not its published algorithm: starts at ${formatRate(ceiling)}, halves on each 429, climbs ${formatRate(ceiling / 20)} per delivery, never below ${formatRate(ceiling / 64)}`;
}

export function renderRateTimeline(changes: readonly RateChange[], ceiling: number, theme: Theme): string {
  let out = `${theme.bold("Rate")} (${rateModelDescription(ceiling)})\n`;
  const row = (at: number, rate: number, why: string): string => `  ${formatOffset(at, true).padEnd(16)} ${formatRate(rate).padStart(8)}  ${theme.dim(why)}\n`;
  out += row(0, ceiling, "start");
  const shown = changes.length <= RATE_ROWS ? changes : [...changes.slice(0, RATE_ROWS / 2), null, ...changes.slice(-RATE_ROWS / 2)];
  for (const c of shown) {
    if (c === null) out += theme.dim(`  … ${changes.length - RATE_ROWS} more changes …\n`);
    else out += row(c.at, c.to, c.reason === "429" ? "← 429" : "← delivered");
  }
  if (changes.length === 0) out += theme.dim("  (no 429 answers: the rate never changed)\n");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Summary

export interface Counts {
  callbacks: number;
  attempts: number;
  delivered: number;
  dropped: number;
  exhausted: number;
  interrupted: number;
  /** Callbacks that missed --expect / --expect-attempts. */
  missed: number;
}

export function countOutcomes(result: SimulationResult, expect: Expectations): Counts {
  const c: Counts = { callbacks: result.callbacks.length, attempts: result.attempts, delivered: 0, dropped: 0, exhausted: 0, interrupted: 0, missed: 0 };
  for (const cb of result.callbacks) {
    c[cb.outcome.kind]++;
    if (hasExpectations(expect) && missedExpectations(cb.outcome, expect).length > 0) c.missed++;
  }
  return c;
}

/** Sorted real-time lateness of every attempt that went out (ms). */
export function latenessMs(result: SimulationResult, clock: ClockSpec): number[] {
  return result.callbacks.flatMap((c) => c.attempts.map((a) => realLateMs(a, clock))).toSorted((a, b) => a - b);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function renderSummary(result: SimulationResult, ctx: ReportContext, wallMs: number): string {
  const { theme } = ctx;
  const c = countOutcomes(result, ctx.expect);
  const parts = [`${c.callbacks} callback${c.callbacks === 1 ? "" : "s"}`, `${c.attempts} attempt${c.attempts === 1 ? "" : "s"}`];
  if (c.delivered) parts.push(theme.green(`${c.delivered} delivered`));
  if (c.dropped) parts.push(theme.red(`${c.dropped} dropped`));
  if (c.exhausted) parts.push(theme.red(`${c.exhausted} exhausted`));
  if (c.interrupted) parts.push(theme.yellow(`${c.interrupted} interrupted`));
  parts.push(`${clockLabel(ctx.clock)} clock, ${(wallMs / 1000).toFixed(2)} s`);
  let out = parts.join(" · ") + "\n";
  if (ctx.clock.kind !== "virtual") {
    const late = latenessMs(result, ctx.clock);
    if (late.length > 0) out += theme.dim(`attempts fired late against their schedule by p50 ${formatLatency(percentile(late, 50))}, max ${formatLatency(late.at(-1)!)} (real time)`) + "\n";
  }
  if (result.interrupted) out += theme.yellow("! stopped by Ctrl-C: the report covers the attempts sent so far") + "\n";
  if (hasExpectations(ctx.expect)) {
    const what = [ctx.expect.outcome !== undefined ? `--expect ${ctx.expect.outcome}` : "", ctx.expect.attempts !== undefined ? `--expect-attempts ${ctx.expect.attempts}` : ""].filter(Boolean).join(" ");
    if (c.missed === 0) out += theme.green(`✓ every callback met ${what}`) + "\n";
    else {
      const examples = result.callbacks
        .filter((cb) => missedExpectations(cb.outcome, ctx.expect).length > 0)
        .slice(0, 3)
        .map((cb) => `${ctx.names[cb.index]}: ${outcomeText(cb.outcome)}`);
      out += theme.red(`✗ ${c.missed} of ${c.callbacks} callback${c.callbacks === 1 ? "" : "s"} missed ${what} (${examples.join("; ")}${c.missed > 3 ? "; …" : ""})`) + "\n";
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// --json

const round1 = (n: number): number => Math.round(n * 10) / 10;

export function attemptJson(r: AttemptRecord, ctx: Pick<ReportContext, "names" | "clock" | "reuseSignature">): object {
  const d = r.decision;
  return {
    event: "attempt",
    callback: ctx.names[r.index],
    index: r.index,
    attempt: r.attempt,
    offset_ms: round1(r.offsetMs),
    offset: formatOffset(r.offsetMs, r.offsetMs % 1000 !== 0),
    scheduled_offset_ms: r.scheduledMs,
    paced_ms: round1(r.pacedMs),
    late_ms: round1(realLateMs(r, ctx.clock)),
    held_ms: round1(ctx.clock.kind === "scaled" ? r.heldMs / ctx.clock.factor : r.heldMs),
    status: r.status ?? null,
    error: r.error ? { kind: r.error.kind, message: r.error.message } : null,
    latency_ms: round1(r.latencyMs),
    class: r.outcome?.class ?? null,
    reason: r.outcome?.reason ?? null,
    assumption: r.outcome?.assumption ?? false,
    lowers_rate: r.outcome?.lowersRate ?? false,
    decision: d?.kind ?? "interrupted",
    next_in_ms: d?.kind === "retry" ? d.inMs : null,
    ...(r.rate !== undefined ? { rate: round1(r.rate) } : {}),
    ...(r.rateChange ? { rate_change: { from: round1(r.rateChange.from), to: round1(r.rateChange.to), reason: r.rateChange.reason, model: true } } : {}),
    ...(ctx.reuseSignature ? { signature_reused: r.attempt > 1 } : {}),
  };
}

export function callbackJson(run: CallbackRun, ctx: Pick<ReportContext, "names" | "types" | "expect">): object {
  const missed = missedExpectations(run.outcome, ctx.expect);
  return {
    event: "callback",
    callback: ctx.names[run.index],
    index: run.index,
    type: ctx.types[run.index] ?? null,
    outcome: run.outcome.kind,
    attempts: run.outcome.attempts,
    offset_ms: round1(run.outcome.offsetMs),
    status: run.outcome.status ?? null,
    text: outcomeText(run.outcome),
    ...(hasExpectations(ctx.expect) ? { expectation: { met: missed.length === 0, missed } } : {}),
  };
}

export function summaryJson(result: SimulationResult, ctx: ReportContext, extra: { target: string; timeoutMs: number; wallMs: number; exitCode: number }): object {
  const c = countOutcomes(result, ctx.expect);
  const late = ctx.clock.kind === "virtual" ? [] : latenessMs(result, ctx.clock);
  return {
    event: "summary",
    target: extra.target,
    schedule: ctx.schedule.name,
    schedule_offsets_ms: ctx.schedule.attempts.map((a) => a.offsetMs),
    clock: clockLabel(ctx.clock),
    timeout_ms: extra.timeoutMs,
    callbacks: c.callbacks,
    attempts: c.attempts,
    delivered: c.delivered,
    dropped: c.dropped,
    exhausted: c.exhausted,
    interrupted: c.interrupted,
    wall_ms: Math.round(extra.wallMs),
    ...(late.length > 0 ? { late_ms: { p50: round1(percentile(late, 50)), p99: round1(percentile(late, 99)), max: round1(late.at(-1)!) } } : {}),
    ...(ctx.ratePerSecond !== undefined
      ? { rate: { model: rateModelDescription(ctx.ratePerSecond), ceiling: ctx.ratePerSecond, changes: result.rateChanges.map((r) => ({ at_ms: round1(r.at), from: round1(r.from), to: round1(r.to), reason: r.reason })) } }
      : {}),
    ...(hasExpectations(ctx.expect) ? { expectations: { outcome: ctx.expect.outcome ?? null, attempts: ctx.expect.attempts ?? null, missed: c.missed } } : {}),
    exit_code: extra.exitCode,
  };
}
