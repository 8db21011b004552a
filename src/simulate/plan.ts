/**
 * The decisions of simulate-retries, as pure functions over data: which schedule, when each attempt is
 * due, what Sinch does after each answer, and whether a callback met the user's expectations.
 * `engine.ts` acts on them; nothing here touches the network or the clock.
 *
 * Schedule and outcome rules: SMS "Webhooks" page ("For 5xx the callback will be retried. For 429 the
 * callback will be retried and the throughput will be lowered. For other status codes in the 4xx range
 * the callback will not be retried."), read as in shared/reference/sinch-callbacks.md Decisions (a)–(c).
 */
import type { Outcome } from "../retry/policy.js";
import { SINCH_RETRIES, retrySchedule, scheduleFromGaps, type ScheduleProfile, type ScheduledRetry } from "../retry/schedule.js";

export type ScheduleSpec = { kind: "profile"; profile: ScheduleProfile } | { kind: "custom"; gapsMs: readonly number[] };

export interface PlannedAttempt {
  /** 1-based; attempt 1 is the first try, attempt k+1 is retry k. */
  attempt: number;
  /** Milliseconds after the callback's first attempt. */
  offsetMs: number;
  /** Milliseconds after the previous attempt (0 for the first). */
  gapMs: number;
}

export interface ResolvedSchedule {
  /** `sinch`, `doubling-gaps` or `custom`. */
  name: string;
  /** One line on how the offsets come about. */
  description: string;
  retries: readonly ScheduledRetry[];
  attempts: readonly PlannedAttempt[];
  /** Set when --max-retries shortened the schedule. */
  cappedAt?: number;
}

const PROFILE_DESCRIPTIONS: Record<ScheduleProfile, string> = {
  sinch: "Sinch's documented schedule, read as offsets from the first attempt doubling: 5 s, 10 s, 20 s … 81920 s",
  "doubling-gaps": "the other reading of Sinch's wording, gaps doubling: 5 s, 15 s, 35 s … 163835 s after the first attempt",
};

/** Attempt 1 at T+0, then one attempt per scheduled retry, in whole milliseconds. */
export function planAttempts(retries: readonly ScheduledRetry[]): PlannedAttempt[] {
  const out: PlannedAttempt[] = [{ attempt: 1, offsetMs: 0, gapMs: 0 }];
  for (const r of retries) {
    // Custom gaps may be fractional seconds (50ms → 0.05); rounding to whole ms undoes float sums.
    const offsetMs = Math.round(r.offsetSeconds * 1000);
    out.push({ attempt: r.retry + 1, offsetMs, gapMs: offsetMs - out.at(-1)!.offsetMs });
  }
  return out;
}

/** The schedule a run uses: a named profile or custom gaps, capped by --max-retries. */
export function resolveSchedule(spec: ScheduleSpec, maxRetries?: number): ResolvedSchedule {
  let retries: readonly ScheduledRetry[];
  let name: string;
  let description: string;
  let natural: number;
  if (spec.kind === "profile") {
    natural = SINCH_RETRIES;
    retries = retrySchedule(spec.profile, maxRetries ?? SINCH_RETRIES);
    name = spec.profile;
    description = PROFILE_DESCRIPTIONS[spec.profile];
  } else {
    natural = spec.gapsMs.length;
    const gaps = maxRetries === undefined ? spec.gapsMs : spec.gapsMs.slice(0, maxRetries);
    retries = scheduleFromGaps(gaps.map((ms) => ms / 1000));
    name = "custom";
    description = "custom gaps from --schedule";
  }
  const capped = maxRetries !== undefined && maxRetries < natural ? { cappedAt: maxRetries } : {};
  return { name, description, retries, attempts: planAttempts(retries), ...capped };
}

export type Decision =
  | { kind: "delivered" }
  | { kind: "dropped" }
  /** Sinch retries: `next` is the attempt it sends next, `inMs` how long after this one's scheduled time. */
  | { kind: "retry"; next: PlannedAttempt; inMs: number; retry: number; of: number }
  /** A retryable answer, but the schedule is used up: Sinch gives up. */
  | { kind: "exhausted" };

/** What Sinch does after `outcome` on `attempt` (1-based) of `plan`. */
export function decideNext(outcome: Outcome, attempt: number, plan: readonly PlannedAttempt[]): Decision {
  if (outcome.class === "delivered") return { kind: "delivered" };
  if (outcome.class === "dropped") return { kind: "dropped" };
  const current = plan[attempt - 1];
  const next = plan[attempt];
  if (!current || !next) return { kind: "exhausted" };
  return { kind: "retry", next, inMs: next.offsetMs - current.offsetMs, retry: next.attempt - 1, of: plan.length - 1 };
}

export type FinalKind = "delivered" | "dropped" | "exhausted" | "interrupted";

export interface FinalOutcome {
  kind: FinalKind;
  /** Attempts sent. */
  attempts: number;
  /** Offset of the last attempt sent (ms after the first). */
  offsetMs: number;
  /** Status of the last answer, when there was one. */
  status?: number;
}

export interface Expectations {
  outcome?: "delivered" | "dropped" | "exhausted";
  attempts?: number;
}

/** Why a callback misses the expectations (empty when it meets them). */
export function missedExpectations(final: FinalOutcome, expect: Expectations): string[] {
  const missed: string[] = [];
  if (expect.outcome !== undefined && final.kind !== expect.outcome) missed.push(`expected ${expect.outcome}, got ${final.kind}`);
  if (expect.attempts !== undefined && final.attempts !== expect.attempts) {
    missed.push(`expected ${expect.attempts} attempt${expect.attempts === 1 ? "" : "s"}, got ${final.attempts}`);
  }
  // A run stopped with Ctrl-C has not shown what Sinch would do in the end, so it meets no expectation.
  if ((expect.outcome !== undefined || expect.attempts !== undefined) && final.kind === "interrupted" && missed.length === 0) {
    missed.push("interrupted before the outcome was known");
  }
  return missed;
}
