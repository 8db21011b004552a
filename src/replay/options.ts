/**
 * `replay` flags → a checked configuration. Pure: every mistake is a UsageError naming the flag, raised
 * before any input is read (so stdin is not consumed for nothing) and before anything is sent.
 */
import { UsageError } from "../errors.js";
import { parseCredentials, parseDuration, parsePositiveInt, parseEpochSeconds, parseNonce, parseRate as parseRateFlag, type Credentials } from "../cli/parse-options.js";
import type { AuthOptions } from "../send/auth.js";
import { authOptionsFromFlags } from "../send/auth-flags.js";
import { parseSetFlag, type FieldOverride } from "../send/overrides.js";
import { resolveTarget } from "../send/target.js";

/** Flags as commander hands them over: strings, untouched. */
export interface ReplayFlags {
  to?: string;
  appendPath?: boolean;
  allowInvalid?: boolean;
  set?: string[];
  fresh?: boolean;
  snsEnvelope?: boolean;
  snsTopicArn?: string;
  snsSigningKey?: string;
  snsCertUrl?: string;
  snsSignatureVersion?: string;
  hmacSecret?: string;
  nonce?: string;
  timestamp?: string;
  basicAuth?: string;
  oauthTokenUrl?: string;
  oauthCredentials?: string;
  header?: string[];
  concurrency?: string;
  rate?: string;
  repeat?: string;
  timeout?: string;
  expect?: string;
  dryRun?: boolean;
  json?: boolean;
  junit?: string;
}

/** One accepted status or range, inclusive. */
export interface StatusRange {
  from: number;
  to: number;
}

export interface Expectation {
  /** As typed, for messages: "2xx", "200,202". */
  text: string;
  ranges: StatusRange[];
}

export interface ReplayConfig {
  target: URL;
  appendPath: boolean;
  allowInvalid: boolean;
  overrides: FieldOverride[];
  fresh: boolean;
  auth: AuthOptions;
  /** Where Basic credentials came from, so --dry-run can tell the user which variable its curl reads. */
  basicFromEnv: boolean;
  concurrency: number;
  /** Requests per second, or undefined for as fast as the concurrency allows. */
  ratePerSecond?: number;
  repeat: number;
  timeoutMs: number;
  expect?: Expectation;
  dryRun: boolean;
  json: boolean;
  junit?: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_CONCURRENCY = 1_000;
/** Every result is kept for the summary and the JUnit report; this keeps a typo from eating all memory. */
export const MAX_REQUESTS = 1_000_000;


/**
 * "2xx", "200", "200,202", "2xx,404", "200-204". Classes and codes are 100–599; anything else is a
 * usage error, because a typo here would silently make every run pass or fail.
 */
function badExpect(item: string): UsageError {
  return new UsageError(`--expect: "${item}" is not a status, a class such as 2xx, or a range such as 200-204`, "e.g. --expect 2xx, --expect 200,202 or --expect 2xx,404");
}

export function parseExpect(value: string): Expectation {
  const items = value.split(",").map((s) => s.trim());
  const ranges: StatusRange[] = [];
  for (const item of items) {
    let m: RegExpExecArray | null;
    if ((m = /^([1-5])xx$/i.exec(item))) {
      const base = Number(m[1]) * 100;
      ranges.push({ from: base, to: base + 99 });
    } else if ((m = /^(\d{3})$/.exec(item))) {
      const n = Number(m[1]);
      if (n < 100 || n > 599) throw badExpect(item);
      ranges.push({ from: n, to: n });
    } else if ((m = /^(\d{3})-(\d{3})$/.exec(item))) {
      const from = Number(m[1]);
      const to = Number(m[2]);
      if (from < 100 || to > 599 || from > to) throw badExpect(item);
      ranges.push({ from, to });
    } else {
      throw badExpect(item);
    }
  }
  return { text: items.join(","), ranges };
}

export function meetsExpectation(status: number, expect: Expectation): boolean {
  // A plain loop: this runs once per answer, and a closure per call is garbage at 10 000 answers a second.
  for (const r of expect.ranges) if (status >= r.from && status <= r.to) return true;
  return false;
}

/** "20", "20/s", "0.5/s", "600/m" (also /sec, /min) → requests per second. */
/** --rate for replay: requests per second (the grammar is shared with simulate-retries). */
export const parseRate = (value: string): number => parseRateFlag("--rate", value, "requests");

function credentials(flag: string, value: string | undefined): Credentials | undefined {
  return value === undefined || value === "" ? undefined : parseCredentials(flag, value);
}

export function replayConfigFromFlags(flags: ReplayFlags, env: Record<string, string | undefined>): ReplayConfig {
  const target = resolveTarget(flags.to, env);
  if (target.username !== "" || target.password !== "") {
    // A password in the URL would be printed with every line that names the target.
    throw new UsageError("--to must not contain credentials (user:password@)", "pass them with --basic-auth user:pass (or SINCH_HOOKS_BASIC_AUTH) instead");
  }

  // An empty variable (e.g. `SINCH_HOOKS_HMAC_SECRET=` in a CI file) counts as unset, as in `listen`.
  const hmacSecret = flags.hmacSecret || env.SINCH_HOOKS_HMAC_SECRET || undefined;
  if (flags.nonce !== undefined) parseNonce(flags.nonce, "leave it out for a fresh nonce per request");
  const timestamp = flags.timestamp === undefined ? undefined : parseEpochSeconds(flags.timestamp, "leave it out to sign with the time of each request");
  if ((flags.nonce !== undefined || timestamp !== undefined) && !hmacSecret) {
    throw new UsageError(`${flags.nonce !== undefined ? "--nonce" : "--timestamp"} only applies to HMAC signatures`, "add --hmac-secret S (or set SINCH_HOOKS_HMAC_SECRET)");
  }

  // The same HMAC/Basic/OAuth/--header rules as simulate-retries and check: one implementation.
  const auth = authOptionsFromFlags(flags, env);
  const basicFromEnv = auth.basic !== undefined && credentials("--basic-auth", flags.basicAuth) === undefined;

  const concurrency = flags.concurrency === undefined ? 1 : parsePositiveInt("--concurrency", flags.concurrency);
  if (concurrency > MAX_CONCURRENCY) throw new UsageError(`--concurrency must be at most ${MAX_CONCURRENCY} (got ${concurrency})`);
  const repeat = flags.repeat === undefined ? 1 : parsePositiveInt("--repeat", flags.repeat);
  const timeoutMs = flags.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration("--timeout", flags.timeout);
  if (timeoutMs < 1) throw new UsageError("--timeout must be at least 1ms");

  return {
    target,
    appendPath: flags.appendPath === true,
    allowInvalid: flags.allowInvalid === true,
    overrides: (flags.set ?? []).map(parseSetFlag),
    fresh: flags.fresh === true,
    auth: { ...auth, nonce: flags.nonce, timestamp },
    basicFromEnv,
    concurrency,
    ratePerSecond: flags.rate === undefined ? undefined : parseRate(flags.rate),
    repeat,
    timeoutMs,
    expect: flags.expect === undefined ? undefined : parseExpect(flags.expect),
    dryRun: flags.dryRun === true,
    json: flags.json === true,
    junit: flags.junit === "" ? undefined : flags.junit,
  };
}
