/**
 * A MODEL of how Sinch paces callbacks to an endpoint that answers 429. Sinch documents only that
 * "For 429 the callback will be retried and the throughput will be lowered" (SMS "Webhooks" page); the
 * algorithm is not published (shared/reference/sinch-callbacks.md §6). Decisions (c) fixes the shape:
 * multiplicative decrease on each 429, gradual increase on each success (AIMD, as in TCP congestion
 * control). The numbers below are this tool's choice and every report labels the rate as a model.
 *
 * Pure: the state is a value, time is passed in.
 */

export interface RateModel {
  /** The configured rate (--rate), and the most the model climbs back to. Callbacks per second. */
  ceiling: number;
  /** The least it drops to: ceiling/64, i.e. six halvings, so a 429 storm cannot stall the run. */
  floor: number;
  /** Added per delivered callback: ceiling/20, so 20 deliveries climb back from the floor to the ceiling. */
  step: number;
  /** Current rate, callbacks per second. */
  rate: number;
  /** When the last attempt was let out (clock ms), or null before the first. */
  lastSendAt: number | null;
}

export interface RateChange {
  /** When the answer that caused it arrived (clock ms from afterAnswer; the engine reports it relative to the run's start). */
  at: number;
  from: number;
  to: number;
  reason: "429" | "delivered";
}

export function createRateModel(ceiling: number): RateModel {
  if (!Number.isFinite(ceiling) || ceiling <= 0) throw new RangeError(`rate must be > 0 (got ${ceiling})`);
  return { ceiling, floor: ceiling / 64, step: ceiling / 20, rate: ceiling, lastSendAt: null };
}

/** The earliest clock time the next attempt may go out: one interval (1/rate) after the last one. */
export function nextAllowedAt(model: RateModel): number {
  return model.lastSendAt === null ? Number.NEGATIVE_INFINITY : model.lastSendAt + 1000 / model.rate;
}

export function afterSend(model: RateModel, at: number): RateModel {
  return { ...model, lastSendAt: at };
}

/** Halve on 429, climb by `step` on a 2xx, leave the rate alone otherwise (5xx, timeouts, 4xx). */
export function afterAnswer(model: RateModel, answer: { lowersRate: boolean; delivered: boolean }, at: number): { model: RateModel; change?: RateChange } {
  let to = model.rate;
  let reason: RateChange["reason"] | undefined;
  if (answer.lowersRate) {
    to = Math.max(model.floor, model.rate / 2);
    reason = "429";
  } else if (answer.delivered) {
    to = Math.min(model.ceiling, model.rate + model.step);
    reason = "delivered";
  }
  if (reason === undefined || to === model.rate) return { model };
  return { model: { ...model, rate: to }, change: { at, from: model.rate, to, reason } };
}
