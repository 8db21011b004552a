/**
 * --respond: a fixed status ("503") or a per-callback sequence ("503,503,200"). The n-th delivery of the
 * same callback gets the n-th status; the last one repeats. With 503,503,200 the real Sinch platform
 * retries each callback twice (5 s, then 10 s after the first try) before it is delivered.
 */
import { UsageError } from "../errors.js";

export interface RespondPlan {
  statuses: readonly number[];
}

export function parseRespondSpec(spec: string): RespondPlan {
  const parts = spec.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new UsageError(`--respond needs a status or a list such as 503,503,200 (got "${spec}")`);
  const statuses = parts.map((p) => {
    if (!/^\d{3}$/.test(p) || Number(p) < 200 || Number(p) > 599) {
      throw new UsageError(`--respond: "${p}" is not an HTTP status from 200 to 599`, "e.g. --respond 503,503,200 or --respond 429");
    }
    return Number(p);
  });
  return { statuses };
}

/** Status for the given 1-based delivery attempt of one callback. */
export function plannedStatus(plan: RespondPlan, attempt: number): number {
  const i = Math.min(Math.max(attempt, 1), plan.statuses.length) - 1;
  return plan.statuses[i]!;
}
