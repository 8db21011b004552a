/**
 * Shapes shared by the `check` suite: what a check is, what it may use, and what it reports.
 * A check is a function of a context; it never prints. The runner adds timing and skips, the
 * report module turns results into a table, JSON or JUnit.
 */
import type { HttpResult } from "../send/http.js";

export type Verdict = "pass" | "fail" | "warn" | "skip";

/** One request a check sent, and how that single answer was judged. */
export interface Probe {
  /** What was sent, e.g. "mo_text", "tampered body", "extra whitespace". */
  label: string;
  /**
   * HTTP status of the callback, or null when no answer arrived (refused, reset, timed out) — or when
   * the probe was not one HTTP exchange the check could see (the OAuth token round trip, done by
   * requestAccessToken; its note says what happened).
   */
  status: number | null;
  latencyMs: number;
  /** The transport failure, when there was no answer. */
  error?: string;
  verdict: "pass" | "fail" | "warn";
  /** One line: "401 in 2 ms → dropped for good (…)". */
  note: string;
}

/** The key figure of a check: a short text for the table, and the numbers behind it for JSON. */
export interface Figure {
  text: string;
  /** The most telling status (the worst one seen), or null when nothing answered. */
  status?: number | null;
  /** The slowest answer, in milliseconds. */
  latencyMs?: number;
}

export interface CheckResult {
  name: string;
  verdict: Verdict;
  figure: Figure;
  /** Lines worth reading when the verdict is not a pass: one per notable probe, or the skip reason. */
  details: string[];
  /** One paragraph: what Sinch would do with the answers seen, and why it matters. */
  explanation: string;
  probes: Probe[];
  durationMs?: number;
}

export type Requirement = "hmac" | "credentials";

export interface CheckDefinition {
  /** Stable kebab-case name, used by --only / --skip, JSON and JUnit. */
  name: string;
  /** One line for --list. */
  summary: string;
  /** Why it matters, for --list --json and for skipped results. */
  why: string;
  needs?: Requirement;
  /**
   * A warning from this check never fails the run, not even with --strict. Only hmac-freshness:
   * neither answer to a stale or replayed signature is right in every case, because Sinch does not
   * document whether retries repeat their signature (sinch-callbacks.md §8 point 6, Decisions d).
   */
  advisory?: boolean;
  run(ctx: CheckContext): Promise<CheckResult>;
}

export interface OAuthConfig {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/** Everything a check may use. Built once per run by context.ts. */
export interface CheckContext {
  target: URL;
  budgetMs: number;
  timeoutMs: number;
  hmacSecret?: string;
  basic?: { user: string; password: string };
  oauth?: OAuthConfig;
  now(): number;
  /** The headers Sinch would send with exactly these bytes: content-type, --header, credentials, a fresh HMAC. */
  headersFor(body: Buffer): Promise<Record<string, string>>;
  /** POSTs the bytes to the target path with exactly these headers. */
  send(body: Buffer, headers: Record<string, string>): Promise<HttpResult>;
  /** POSTs to any URL (the OAuth token endpoint), through a client kept for the run. */
  sendTo(url: URL, req: { method?: string; headers: Record<string, string>; body: Buffer }): Promise<HttpResult>;
  /** A bundled sample (listSamples name) with fresh ids and timestamps, as a plain object. */
  sample(name: string): Promise<Record<string, unknown>>;
  /** Removes every secret the run knows (HMAC secret, passwords, tokens sent) from text the endpoint sent back. */
  redact(text: string): string;
  /** Remembers a credential this run created (e.g. a fresh access token) so redact() hides it too. */
  addSecret(secret: string): void;
}
