/**
 * Runs the selected checks one after another against one target and collects their results. Prints
 * nothing: `onResult` lets the command show each row as it completes. Checks run sequentially so one
 * check's traffic never skews another's latency or duplicate handling.
 */
import { NetworkError, isSinchHooksError } from "../errors.js";
import { createCheckContext, type CheckRunConfig } from "./context.js";
import { assertReachable, displayTarget } from "./reach.js";
import type { CheckContext, CheckDefinition, CheckResult, Requirement } from "./types.js";

export interface CheckReport {
  /** The target as printed (no credentials, no query). */
  target: string;
  auth: string;
  budgetMs: number;
  timeoutMs: number;
  startedAt: number;
  durationMs: number;
  results: CheckResult[];
  /** Ctrl-C arrived: the remaining checks were skipped. */
  interrupted: boolean;
  /** Set when requests were sent and not one got an HTTP answer: the first failure, to name it. */
  noAnswer?: string;
}

export interface RunDeps {
  now: () => number;
  signal?: AbortSignal;
  /** Called once the target is reachable, before the first check: what is being checked, and how. */
  onStart?: (info: { target: string; auth: string }) => void;
  onResult?: (result: CheckResult, def: CheckDefinition) => void;
}

/** Connecting is cheap and a slow connect is its own problem; ten seconds is plenty even across the internet. */
const MAX_CONNECT_MS = 10_000;

export function missingRequirement(def: CheckDefinition, config: Pick<CheckContext, "hmacSecret" | "basic" | "oauth">): string | null {
  const needs: Requirement | undefined = def.needs;
  if (needs === "hmac" && !config.hmacSecret) return "no HMAC secret: pass --hmac-secret (or set SINCH_HOOKS_HMAC_SECRET)";
  if (needs === "credentials" && !config.basic && !config.oauth) return "no Basic or OAuth credentials: pass --basic-auth, or --oauth-token-url with --oauth-credentials";
  return null;
}

function skipped(def: CheckDefinition, reason: string): CheckResult {
  return { name: def.name, verdict: "skip", figure: { text: reason }, details: [reason], explanation: def.why, probes: [], durationMs: 0 };
}

export async function runChecks(config: CheckRunConfig, checks: readonly CheckDefinition[], deps: RunDeps): Promise<CheckReport> {
  await assertReachable(config.target, Math.min(config.timeoutMs, MAX_CONNECT_MS));
  const startedAt = deps.now();
  const started = performance.now();
  const ctx = await createCheckContext(config, { now: deps.now });
  const results: CheckResult[] = [];
  let interrupted = false;
  try {
    if (config.oauth) {
      // Every authenticated request needs a token; without one nothing can be tested, so say that once.
      try {
        await ctx.headersFor(Buffer.alloc(0));
      } catch (err) {
        if (!isSinchHooksError(err)) throw err;
        throw new NetworkError(`no OAuth token, so no callback can be sent: ${ctx.redact(err.message)}`, { code: err.code, hint: err.hint, cause: err });
      }
    }
    deps.onStart?.({ target: displayTarget(config.target), auth: ctx.describeAuth() });
    for (const def of checks) {
      let result: CheckResult;
      const missing = missingRequirement(def, config);
      if (deps.signal?.aborted) {
        interrupted = true;
        result = skipped(def, "interrupted (Ctrl-C)");
      } else if (missing !== null) {
        result = skipped(def, missing);
      } else {
        const t0 = performance.now();
        try {
          result = { ...(await def.run(ctx)), durationMs: Math.round(performance.now() - t0) };
        } catch (err) {
          // A check that cannot complete (say, the token endpoint went away mid-run) fails on its own
          // line; the other checks still run. Only a typed, user-facing error is turned into a verdict.
          if (!isSinchHooksError(err)) throw err;
          const message = ctx.redact(err.message);
          result = {
            name: def.name,
            verdict: "fail",
            figure: { text: "could not complete" },
            details: [err.hint ? `${message} (${err.hint})` : message],
            explanation: def.why,
            probes: [],
            durationMs: Math.round(performance.now() - t0),
          };
        }
      }
      results.push(result);
      deps.onResult?.(result, def);
    }
  } finally {
    await ctx.close();
  }
  const report: CheckReport = {
    target: displayTarget(config.target),
    auth: ctx.describeAuth(),
    budgetMs: config.budgetMs,
    timeoutMs: config.timeoutMs,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    results,
    interrupted,
  };
  if (ctx.stats.sent > 0 && ctx.stats.answered === 0) report.noAnswer = ctx.stats.firstFailure ?? "no HTTP answer";
  return report;
}
