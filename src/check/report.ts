/**
 * Pure string builders for `check`: the human table (row by row, then details for what did not pass),
 * the --json document, the --junit XML and the --list output. Exit-code rules live here too, so the
 * table, JSON and JUnit can never disagree about what failed.
 */
import type { Theme } from "../render/theme.js";
import { CHECKS } from "./registry.js";
import type { CheckReport } from "./run.js";
import type { CheckDefinition, CheckResult, Verdict } from "./types.js";

export const EXIT_INTERRUPTED = 130;

const NAME_WIDTH = Math.max(...CHECKS.map((c) => c.name.length));

function definition(name: string): CheckDefinition | undefined {
  return CHECKS.find((c) => c.name === name);
}

/** A failure fails the run; so does a warning under --strict, except from an advisory check (hmac-freshness). */
export function failsRun(result: CheckResult, strict: boolean): boolean {
  if (result.verdict === "fail") return true;
  return strict && result.verdict === "warn" && definition(result.name)?.advisory !== true;
}

export interface Counts {
  pass: number;
  fail: number;
  warn: number;
  skip: number;
}

export function countVerdicts(results: readonly CheckResult[]): Counts {
  const counts: Counts = { pass: 0, fail: 0, warn: 0, skip: 0 };
  for (const r of results) counts[r.verdict]++;
  return counts;
}

/** 3 nothing answered · 130 interrupted · 1 something fails the run · 0 otherwise. */
export function exitCodeFor(report: CheckReport, strict: boolean): number {
  if (report.noAnswer !== undefined) return 3;
  if (report.interrupted) return EXIT_INTERRUPTED;
  return report.results.some((r) => failsRun(r, strict)) ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Human output

function mark(verdict: Verdict, theme: Theme): string {
  switch (verdict) {
    case "pass":
      return theme.green("✓ pass");
    case "fail":
      return theme.red("✗ fail");
    case "warn":
      return theme.yellow("! warn");
    case "skip":
      return theme.dim("- skip");
  }
}

function formatTimeout(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

export function renderHeader(info: { target: string; auth: string; budgetMs: number; timeoutMs: number; strict: boolean }, theme: Theme): string {
  const parts = [`auth ${info.auth}`, `budget ${info.budgetMs} ms`, `timeout ${formatTimeout(info.timeoutMs)}`];
  if (info.strict) parts.push("strict: warnings fail");
  return `${theme.bold("sinch-hooks check")} → ${info.target}\n  ${theme.dim(parts.join(" · "))}\n\n`;
}

export function renderRow(result: CheckResult, theme: Theme): string {
  const text = result.verdict === "skip" ? theme.dim(result.figure.text) : result.figure.text;
  return `  ${mark(result.verdict, theme)}  ${result.name.padEnd(NAME_WIDTH)}  ${text}\n`;
}

/** A block for every check that did not pass: what happened, then why it matters to Sinch. */
export function renderDetails(results: readonly CheckResult[], theme: Theme, strict: boolean): string {
  let out = "";
  for (const r of results) {
    if (r.verdict !== "fail" && r.verdict !== "warn") continue;
    const symbol = r.verdict === "fail" ? theme.red("✗") : theme.yellow("!");
    let note = "";
    if (r.verdict === "warn") {
      if (definition(r.name)?.advisory) note = theme.dim(" (a warning by design: never fails the run)");
      else if (strict) note = theme.red(" (fails the run: --strict)");
    }
    out += `\n${symbol} ${theme.bold(r.name)}${note}\n`;
    for (const d of r.details) out += `  ${theme.dim("·")} ${d}\n`;
    out += `  ${theme.dim("Why:")} ${r.explanation}\n`;
  }
  return out;
}

export function renderSummary(report: CheckReport, strict: boolean, exitCode: number, theme: Theme): string {
  const c = countVerdicts(report.results);
  const parts = [`${c.pass} passed`, `${c.fail} failed`, `${c.warn} warning${c.warn === 1 ? "" : "s"}`, `${c.skip} skipped`];
  const strictWarnings = report.results.filter((r) => r.verdict === "warn" && failsRun(r, strict)).length;
  let line = parts.join(" · ");
  if (strictWarnings > 0) line += ` (${strictWarnings} warning${strictWarnings === 1 ? "" : "s"} fail${strictWarnings === 1 ? "s" : ""} the run: --strict)`;
  const colour = exitCode === 0 ? theme.green : theme.red;
  let out = `\n${colour(line)} ${theme.dim(`in ${(report.durationMs / 1000).toFixed(1)} s, exit ${exitCode}`)}\n`;
  if (report.interrupted) out += `${theme.yellow("!")} interrupted: the remaining checks were skipped\n`;
  return out;
}

// ---------------------------------------------------------------------------------------------
// --json

export function reportJson(report: CheckReport, strict: boolean, exitCode: number): Record<string, unknown> {
  return {
    tool: "sinch-hooks check",
    target: report.target,
    auth: report.auth,
    budget_ms: report.budgetMs,
    timeout_ms: report.timeoutMs,
    strict,
    started_at: new Date(report.startedAt).toISOString(),
    duration_ms: report.durationMs,
    checks: report.results.map((r) => ({
      name: r.name,
      verdict: r.verdict,
      fails_run: failsRun(r, strict),
      figure: { text: r.figure.text, status: r.figure.status ?? null, latency_ms: r.figure.latencyMs ?? null },
      details: r.details,
      explanation: r.explanation,
      duration_ms: r.durationMs ?? 0,
      probes: r.probes.map((p) => ({
        label: p.label,
        status: p.status,
        latency_ms: Math.round(p.latencyMs * 10) / 10,
        ...(p.error === undefined ? {} : { error: p.error }),
        verdict: p.verdict,
        note: p.note,
      })),
    })),
    summary: countVerdicts(report.results),
    interrupted: report.interrupted,
    ...(report.noAnswer === undefined ? {} : { no_answer: report.noAnswer }),
    exit_code: exitCode,
  };
}

// ---------------------------------------------------------------------------------------------
// --junit

// XML 1.0 allows tab, LF, CR and these ranges; anything else (other controls, lone surrogates) is dropped.
const XML_INVALID = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

export function xmlEscape(text: string): string {
  return text
    .replace(XML_INVALID, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * JUnit XML as most CI systems read it (one testsuite, one testcase per check). A failure, or a warning
 * under --strict, is a <failure>; a skip is <skipped>; a warning that does not fail the run is a passing
 * testcase whose <system-out> says so.
 */
export function renderJunit(report: CheckReport, strict: boolean): string {
  const counts = countVerdicts(report.results);
  const failures = report.results.filter((r) => failsRun(r, strict)).length;
  const total = report.results.length;
  const time = seconds(report.durationMs);
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(`<testsuites name="sinch-hooks check" tests="${total}" failures="${failures}" errors="0" skipped="${counts.skip}" time="${time}">`);
  lines.push(
    `  <testsuite name="sinch-hooks check" tests="${total}" failures="${failures}" errors="0" skipped="${counts.skip}" time="${time}" timestamp="${new Date(report.startedAt).toISOString()}">`,
  );
  lines.push("    <properties>");
  for (const [name, value] of [
    ["target", report.target],
    ["auth", report.auth],
    ["budget_ms", String(report.budgetMs)],
    ["timeout_ms", String(report.timeoutMs)],
    ["strict", String(strict)],
  ] as const) {
    lines.push(`      <property name="${name}" value="${xmlEscape(value)}"/>`);
  }
  lines.push("    </properties>");
  for (const r of report.results) {
    const open = `    <testcase classname="sinch-hooks.check" name="${xmlEscape(r.name)}" time="${seconds(r.durationMs ?? 0)}"`;
    const body = [...r.details, "", r.explanation].join("\n");
    if (r.verdict === "skip") {
      lines.push(`${open}>`, `      <skipped message="${xmlEscape(r.figure.text)}"/>`, "    </testcase>");
    } else if (failsRun(r, strict)) {
      lines.push(`${open}>`, `      <failure type="${r.verdict}" message="${xmlEscape(r.figure.text)}">${xmlEscape(body)}</failure>`, "    </testcase>");
    } else {
      lines.push(`${open}>`, `      <system-out>${xmlEscape(`${r.verdict}: ${r.figure.text}\n${body}`)}</system-out>`, "    </testcase>");
    }
  }
  lines.push("  </testsuite>", "</testsuites>");
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// --list

function needsText(def: CheckDefinition): string {
  if (def.needs === "hmac") return "needs --hmac-secret";
  if (def.needs === "credentials") return "needs --basic-auth or --oauth-token-url + --oauth-credentials";
  return "";
}

export function renderList(theme: Theme): string {
  let out = "";
  for (const def of CHECKS) {
    const needs = needsText(def);
    out += `${theme.bold(def.name.padEnd(NAME_WIDTH))}  ${def.summary}${needs ? theme.dim(` (${needs})`) : ""}${def.advisory ? theme.dim(" [warning only]") : ""}\n`;
  }
  return out;
}

export function listJson(): Record<string, unknown>[] {
  return CHECKS.map((def) => ({ name: def.name, summary: def.summary, why: def.why, needs: def.needs ?? null, advisory: def.advisory === true }));
}
