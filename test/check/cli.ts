/** Runs `sinch-hooks …` in-process, as the binary would, with string buffers for the terminal. */
import { main } from "../../src/cli/main.js";
import { fakeIo } from "../helpers/fake-io.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; signal?: AbortSignal } = {}): Promise<CliRun> {
  // A real clock: the endpoints under test judge signature timestamps against their own Date.now().
  const io = fakeIo({ now: Date.now, env: opts.env ?? {}, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
  const code = await main(args, { io, signal: opts.signal ?? new AbortController().signal });
  return { code, stdout: io.stdout.text(), stderr: io.stderr.text() };
}

export interface JsonCheck {
  name: string;
  verdict: "pass" | "fail" | "warn" | "skip";
  fails_run: boolean;
  figure: { text: string; status: number | null; latency_ms: number | null };
  details: string[];
  explanation: string;
  probes: { label: string; status: number | null; latency_ms: number; error?: string; verdict: string; note: string }[];
}

export interface JsonReport {
  target: string;
  auth: string;
  budget_ms: number;
  strict: boolean;
  checks: JsonCheck[];
  summary: { pass: number; fail: number; warn: number; skip: number };
  exit_code: number;
}

export function parseReport(stdout: string): JsonReport {
  return JSON.parse(stdout) as JsonReport;
}

export function byName(report: JsonReport): Record<string, JsonCheck> {
  return Object.fromEntries(report.checks.map((c) => [c.name, c]));
}
