/**
 * `simulate-retries` flags → a checked configuration. Pure: every mistake is a UsageError naming the
 * flag, raised before any input is read and before anything is sent.
 */
import { UsageError } from "../errors.js";
import { parseDuration, parsePositiveInt, parseRate } from "../cli/parse-options.js";
import type { AuthOptions } from "../send/auth.js";
import { authOptionsFromFlags } from "../send/auth-flags.js";
import { parseSetFlag, type FieldOverride } from "../send/overrides.js";
import { resolveTarget } from "../send/target.js";
import { resolveSchedule, type Expectations, type ResolvedSchedule, type ScheduleSpec } from "./plan.js";

/** Flags as commander hands them over: strings, untouched. */
export interface SimulateFlags {
  to?: string;
  schedule?: string;
  maxRetries?: string;
  printSchedule?: boolean;
  timeout?: string;
  clock?: string;
  count?: string;
  rate?: string;
  reuseSignature?: boolean;
  hmacSecret?: string;
  basicAuth?: string;
  oauthTokenUrl?: string;
  oauthCredentials?: string;
  header?: string[];
  set?: string[];
  fresh?: boolean;
  snsEnvelope?: boolean;
  snsTopicArn?: string;
  snsSigningKey?: string;
  snsCertUrl?: string;
  snsSignatureVersion?: string;
  allowInvalid?: boolean;
  expect?: string;
  expectAttempts?: string;
  json?: boolean;
  junit?: string;
}

export type ClockSpec = { kind: "virtual" } | { kind: "real" } | { kind: "scaled"; factor: number };

export interface SimulateConfig {
  /** Absent only with --print-schedule, which sends nothing. */
  target?: URL;
  schedule: ResolvedSchedule;
  printSchedule: boolean;
  timeoutMs: number;
  clock: ClockSpec;
  count?: number;
  ratePerSecond?: number;
  reuseSignature: boolean;
  auth: AuthOptions;
  overrides: FieldOverride[];
  fresh: boolean;
  allowInvalid: boolean;
  expect: Expectations;
  json: boolean;
  junit?: string;
}

/**
 * Sinch documents no callback timeout (shared/reference/sinch-callbacks.md §6, §8 point 7). 10 s sits
 * between the one webhook timeout Sinch does document (Voice v2: 5 s) and what other senders use (Svix
 * 15 s; Standard Webhooks recommends 15–30 s): an endpoint slower than 10 s is at real risk of being cut
 * off by Sinch, whatever its exact timeout is. --timeout changes it.
 */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Every attempt is kept for the report; bounded so a typo cannot eat all memory. */
export const MAX_COUNT = 10_000;
export const MAX_CUSTOM_RETRIES = 100;

const OUTCOMES = ["delivered", "dropped", "exhausted"] as const;

/** `sinch`, `doubling-gaps`, or gaps with units: `5s,10s,1m`, `50ms,100ms`. */
export function parseScheduleFlag(value: string): ScheduleSpec {
  const v = value.trim();
  if (v === "sinch" || v === "doubling-gaps") return { kind: "profile", profile: v };
  const items = v.split(",").map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === "")) {
    throw new UsageError(`--schedule must be sinch, doubling-gaps, or gaps such as 5s,10s,1m (got "${value}")`);
  }
  if (items.length > MAX_CUSTOM_RETRIES) throw new UsageError(`--schedule takes at most ${MAX_CUSTOM_RETRIES} gaps (got ${items.length})`);
  const gapsMs = items.map((item) => {
    // A bare number would be read as milliseconds by parseDuration; "5,10,20" almost certainly means seconds.
    if (/^\d+(\.\d+)?$/.test(item)) throw new UsageError(`--schedule gaps need a unit: "${item}" could be ms or s`, `e.g. --schedule 5s,10s,1m or --schedule 50ms,100ms`);
    const ms = parseDuration("--schedule", item);
    if (ms < 1) throw new UsageError(`--schedule gaps must be at least 1ms (got "${item}")`);
    return ms;
  });
  return { kind: "custom", gapsMs };
}

/** `virtual`, `real`, `scaled:N` (N > 0, e.g. scaled:1000 plays the 22 h schedule in 82 s). */
export function parseClockFlag(value: string): ClockSpec {
  const v = value.trim();
  if (v === "virtual" || v === "real") return { kind: v };
  const m = /^scaled:(\d+(?:\.\d+)?)$/.exec(v);
  const factor = m ? Number(m[1]) : NaN;
  if (!m || !Number.isFinite(factor) || factor <= 0) {
    throw new UsageError(`--clock must be virtual, real or scaled:N with N > 0 (got "${value}")`, "e.g. --clock scaled:1000 plays the 22 h schedule in 82 s");
  }
  return { kind: "scaled", factor };
}

/** --rate for simulate-retries: callbacks per second (the grammar is shared with replay). */
export const parseRateFlag = (value: string): number => parseRate("--rate", value, "callbacks");

export function simulateConfigFromFlags(flags: SimulateFlags, env: Record<string, string | undefined>): SimulateConfig {
  const printSchedule = flags.printSchedule === true;
  const maxRetries = flags.maxRetries === undefined ? undefined : parsePositiveInt("--max-retries", flags.maxRetries, 0);
  const schedule = resolveSchedule(parseScheduleFlag(flags.schedule ?? "sinch"), maxRetries);

  let target: URL | undefined;
  if (!printSchedule || flags.to !== undefined) {
    target = resolveTarget(flags.to, env);
    if (target.username !== "" || target.password !== "") {
      // A password in the URL would be printed with the report's header line.
      throw new UsageError("--to must not contain credentials (user:password@)", "pass them with --basic-auth user:pass (or SINCH_HOOKS_BASIC_AUTH) instead");
    }
  }

  const auth = authOptionsFromFlags(flags, env);
  if (flags.reuseSignature === true && !auth.hmacSecret) {
    throw new UsageError("--reuse-signature needs --hmac-secret", "it repeats the first attempt's x-sinch-webhook-signature headers; without a secret there are none");
  }

  const timeoutMs = flags.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration("--timeout", flags.timeout);
  if (timeoutMs < 1) throw new UsageError("--timeout must be at least 1ms");

  let count: number | undefined;
  if (flags.count !== undefined) {
    count = parsePositiveInt("--count", flags.count);
    if (count > MAX_COUNT) throw new UsageError(`--count must be at most ${MAX_COUNT} (got ${count})`);
  }

  let outcome: Expectations["outcome"];
  if (flags.expect !== undefined) {
    const found = OUTCOMES.find((o) => o === flags.expect);
    if (!found) throw new UsageError(`--expect must be one of ${OUTCOMES.join(", ")} (got "${flags.expect}")`, "e.g. --expect delivered --expect-attempts 3");
    outcome = found;
  }
  const attempts = flags.expectAttempts === undefined ? undefined : parsePositiveInt("--expect-attempts", flags.expectAttempts);
  if (attempts !== undefined && attempts > schedule.attempts.length) {
    throw new UsageError(`--expect-attempts ${attempts} can never be met: the schedule has ${schedule.attempts.length} attempts`, "check --schedule and --max-retries, or print them with --print-schedule");
  }

  return {
    ...(target ? { target } : {}),
    schedule,
    printSchedule,
    timeoutMs,
    clock: parseClockFlag(flags.clock ?? "virtual"),
    ...(count !== undefined ? { count } : {}),
    ...(flags.rate !== undefined ? { ratePerSecond: parseRateFlag(flags.rate) } : {}),
    reuseSignature: flags.reuseSignature === true,
    auth,
    overrides: (flags.set ?? []).map(parseSetFlag),
    fresh: flags.fresh === true,
    allowInvalid: flags.allowInvalid === true,
    expect: { ...(outcome ? { outcome } : {}), ...(attempts !== undefined ? { attempts } : {}) },
    json: flags.json === true,
    ...(flags.junit !== undefined && flags.junit !== "" ? { junit: flags.junit } : {}),
  };
}
