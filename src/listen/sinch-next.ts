/**
 * "What will Sinch do next" for a status the listener answered, given which delivery attempt this was.
 * Schedule and outcome rules: shared/reference/sinch-callbacks.md §6 and Decisions (a)–(c).
 */
import { classifyStatus, type Outcome } from "../retry/policy.js";
import { SINCH_RETRIES, formatSeconds, retrySchedule } from "../retry/schedule.js";

export interface SinchNext {
  outcome: Outcome;
  /** Set when Sinch will retry: which retry comes next (1-based) and how long until it. */
  nextRetry?: { retry: number; of: number; inSeconds: number };
  /** Sinch has used up its schedule: this was the last retry. */
  exhausted?: boolean;
  /** One-line human annotation, e.g. "→ Sinch retries in 5 s (retry 1 of 15)". */
  text: string;
}

const schedule = retrySchedule("sinch");

export function sinchNext(status: number, attempt: number): SinchNext {
  const outcome = classifyStatus(status);
  if (outcome.class === "delivered") return { outcome, text: "→ delivered" };
  if (outcome.class === "dropped") {
    const text = outcome.assumption
      ? `→ dropped (assumption: Sinch does not document ${outcome.reason}; treated as final)`
      : "→ dropped for good (a 4xx other than 429 is final for Sinch)";
    return { outcome, text };
  }
  // attempt n failed → retry n comes next (attempt 1 is the first try, retries are 1..15).
  const next = schedule[attempt - 1];
  if (!next) return { outcome, exhausted: true, text: `→ Sinch gives up: that was its last retry (${SINCH_RETRIES} of ${SINCH_RETRIES}, 22 h 45 min 20 s after the first try)` };
  const rate = outcome.lowersRate ? ", rate lowered (429)" : "";
  return {
    outcome,
    nextRetry: { retry: next.retry, of: SINCH_RETRIES, inSeconds: next.gapSeconds },
    text: `→ Sinch retries in ${formatSeconds(next.gapSeconds)} (retry ${next.retry} of ${SINCH_RETRIES})${rate}`,
  };
}

/** The offset Sinch's schedule would put retry k at, to compare with what was observed. */
export function expectedOffsetSeconds(retry: number): number | null {
  return schedule[retry - 1]?.offsetSeconds ?? null;
}
