/**
 * `sinch-hooks check`: flags → a plan (every usage mistake caught before a request is sent), then the
 * run, the table or JSON, the JUnit file and the exit code.
 *
 * Exit codes: 0 no failure · 1 a check failed (or, with --strict, warned) · 2 usage error ·
 * 3 the target cannot be reached, or not one request got an HTTP answer · 130 interrupted.
 */
import { rename, stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { InputError, NetworkError, UsageError } from "../errors.js";
import { colorEnabled, type Io } from "../io.js";
import { createTheme } from "../render/theme.js";
import { authOptionsFromFlags } from "../send/auth-flags.js";
import { resolveTarget } from "../send/target.js";
import type { CheckRunConfig } from "./context.js";
import { CHECKS, selectChecks } from "./registry.js";
import { exitCodeFor, listJson, renderDetails, renderHeader, renderJunit, renderList, renderRow, renderSummary, reportJson } from "./report.js";
import { missingRequirement, runChecks } from "./run.js";
import type { CheckDefinition } from "./types.js";

/** Options as commander hands them over (program.ts has already parsed the numbers). */
export interface CheckFlags {
  to?: string;
  hmacSecret?: string;
  basicAuth?: string;
  oauthTokenUrl?: string;
  oauthCredentials?: string;
  header?: string[];
  budgetMs?: number;
  timeout?: number;
  only?: string[];
  skip?: string[];
  list?: boolean;
  json?: boolean;
  junit?: string;
  strict?: boolean;
}

/** Sinch documents no SMS callback timeout; Voice documents 5 s (sinch-callbacks.md §6). 2 s leaves room. */
export const DEFAULT_BUDGET_MS = 2_000;
/** Long enough that a slow answer is measured against the budget rather than cut off (raised to the budget when that is larger). */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface CheckPlan {
  config: CheckRunConfig;
  checks: CheckDefinition[];
  json: boolean;
  strict: boolean;
  /** Absolute path of the JUnit file, when asked for. */
  junit?: string;
}

export function planFromFlags(flags: CheckFlags, io: Pick<Io, "env" | "cwd">): CheckPlan {
  const checks = selectChecks(flags.only, flags.skip);
  const target = resolveTarget(flags.to, io.env);

  // The same flag and environment rules as replay and simulate-retries (SINCH_HOOKS_HMAC_SECRET,
  // SINCH_HOOKS_BASIC_AUTH, SINCH_HOOKS_OAUTH_CREDENTIALS; an empty variable counts as unset, so the
  // checks that need it say "skip" with the reason instead of signing with "").
  const auth = authOptionsFromFlags(flags, io.env);
  const budgetMs = flags.budgetMs ?? DEFAULT_BUDGET_MS;
  const timeoutMs = flags.timeout ?? Math.max(DEFAULT_TIMEOUT_MS, budgetMs);
  if (timeoutMs < budgetMs) {
    throw new UsageError(
      `--timeout (${timeoutMs} ms) must be at least --budget-ms (${budgetMs} ms)`,
      "otherwise a slow answer is cut off instead of measured against the budget",
    );
  }

  const config: CheckRunConfig = {
    target,
    budgetMs,
    timeoutMs,
    ...(auth.hmacSecret ? { hmacSecret: auth.hmacSecret } : {}),
    ...(auth.basic ? { basic: auth.basic } : {}),
    ...(auth.oauth ? { oauth: auth.oauth } : {}),
    headers: auth.headers ?? {},
  };

  // Asking for a check by name and not giving it what it needs would only print "skip": say so now.
  for (const name of flags.only ?? []) {
    const def = CHECKS.find((c) => c.name === name)!;
    const missing = missingRequirement(def, config);
    if (missing !== null) throw new UsageError(`--only ${name}: ${missing}`);
  }

  return {
    config,
    checks,
    json: flags.json === true,
    strict: flags.strict === true,
    ...(flags.junit === undefined ? {} : { junit: resolve(io.cwd, flags.junit) }),
  };
}

async function assertWritableDir(file: string): Promise<void> {
  const dir = dirname(file);
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error("not a directory");
  } catch {
    throw new UsageError(`--junit: the folder ${dir} does not exist`, "create it first, or give another path");
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  // Written beside the target and renamed, so a CI reader never sees half a file.
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, "utf8");
    await rename(temp, file);
  } catch (err) {
    throw new InputError(`--junit: cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, "check the path and its permissions", "SH_CHECK_JUNIT");
  }
}

export async function runCheck(flags: CheckFlags, io: Io, signal?: AbortSignal): Promise<number> {
  const theme = createTheme(colorEnabled(io.env, io.stdout));
  if (flags.list) {
    // Names are validated even here, so a typo in a CI script shows up in the cheapest command.
    selectChecks(flags.only, flags.skip);
    io.stdout.write(flags.json ? `${JSON.stringify(listJson(), null, 2)}\n` : renderList(theme));
    return 0;
  }

  const plan = planFromFlags(flags, io);
  if (plan.junit) await assertWritableDir(plan.junit);

  const report = await runChecks(plan.config, plan.checks, {
    now: () => io.now(),
    ...(signal ? { signal } : {}),
    onStart: (info) => {
      if (!plan.json) io.stdout.write(renderHeader({ ...info, budgetMs: plan.config.budgetMs, timeoutMs: plan.config.timeoutMs, strict: plan.strict }, theme));
    },
    onResult: (result) => {
      if (!plan.json) io.stdout.write(renderRow(result, theme));
    },
  });

  const exitCode = exitCodeFor(report, plan.strict);
  if (plan.json) io.stdout.write(`${JSON.stringify(reportJson(report, plan.strict, exitCode), null, 2)}\n`);
  else io.stdout.write(renderDetails(report.results, theme, plan.strict) + renderSummary(report, plan.strict, exitCode, theme));
  if (plan.junit) await writeAtomically(plan.junit, renderJunit(report, plan.strict));

  if (report.noAnswer !== undefined) {
    throw new NetworkError(`no HTTP answer from ${report.target} to any request: ${report.noAnswer}`, {
      code: "SH_CHECK_NO_ANSWER",
      hint: "a connection opens but nothing answers: is it an HTTP server, does it speak plain HTTP on that port (or https?), is it stuck?",
    });
  }
  return exitCode;
}
