/**
 * simulateRetries: sends each callback on its own copy of the schedule, concurrently, the way Sinch
 * would, and records every attempt. One code path for every clock — virtual, real, scaled — so what CI
 * sees on the virtual clock is what a real 22 h run would do; only the clock differs.
 *
 * The decisions (when an attempt is due, what an answer means, how the rate model reacts) come from the
 * pure functions in plan.ts, rate.ts and retry/policy.ts; this file only waits, sends and records.
 */
import { setMaxListeners } from "node:events";
import type { Clock } from "../retry/clock.js";
import { classifyStatus, classifyTransportFailure, type Outcome, type TransportFailure } from "../retry/policy.js";
import type { ScheduledRetry } from "../retry/schedule.js";
import { decideNext, planAttempts, type Decision, type FinalOutcome, type PlannedAttempt } from "./plan.js";
import { afterAnswer, afterSend, createRateModel, nextAllowedAt, type RateChange, type RateModel } from "./rate.js";

/** What one attempt came back with: a status, or a transport failure (HttpResult from send/http.ts fits). */
export interface SendResult {
  status?: number;
  error?: { kind: TransportFailure; message: string; code?: string };
  latencyMs: number;
}

export interface SendRequest {
  /** Index of the callback in `callbacks`. */
  index: number;
  attempt: number;
  /** Aborted when the run stops (Ctrl-C): an in-flight request should give up. */
  signal: AbortSignal;
}

export interface Policy {
  classifyStatus(status: number): Outcome;
  classifyTransportFailure(kind: TransportFailure): Outcome;
}

/** Sinch's documented rules plus Decisions (b)/(c) for what it does not document (retry/policy.ts). */
export const sinchPolicy: Policy = { classifyStatus, classifyTransportFailure };

export interface AttemptRecord {
  index: number;
  attempt: number;
  /** The schedule's offset for this attempt, ms after the callback's first attempt. */
  scheduledMs: number;
  /** When it was due to go out, ms after the callback's first attempt: the schedule plus any rate-model wait. */
  offsetMs: number;
  /** Wait the rate model added (ms). */
  pacedMs: number;
  /** How much later than due it actually went out, in clock ms (0 on the virtual clock). */
  lateMs: number;
  /**
   * The part of lateMs spent waiting for the previous answer, which arrived after this attempt was due
   * (the endpoint took longer than the gap: common on a scaled clock, whose gaps shrink but whose
   * endpoint does not speed up). lateMs − heldMs is the lateness of the timer and the loop alone.
   */
  heldMs: number;
  /** Due time in ms after the start of the run (for rate timelines across callbacks). */
  runOffsetMs: number;
  status?: number;
  error?: { kind: TransportFailure; message: string; code?: string };
  latencyMs: number;
  /** null when the run stopped before an answer arrived. */
  outcome: Outcome | null;
  decision: Decision | null;
  /** The model's rate when this attempt went out (with --rate). */
  rate?: number;
  /** The change this answer made to the model's rate (`at` in ms after the start of the run). */
  rateChange?: RateChange;
}

export interface CallbackRun {
  index: number;
  attempts: AttemptRecord[];
  outcome: FinalOutcome;
}

export interface SimulationResult {
  callbacks: CallbackRun[];
  /** Clock times of the start and end of the run. */
  startedAt: number;
  endedAt: number;
  /** Every change of the rate model, in order (`at` in ms after the start of the run). */
  rateChanges: RateChange[];
  /** Stopped by the signal before every callback reached an outcome. */
  interrupted: boolean;
  /** Attempts sent, over all callbacks. */
  attempts: number;
  plan: readonly PlannedAttempt[];
}

export interface ProgressSnapshot {
  attempts: number;
  inFlight: number;
  finished: number;
  total: number;
  delivered: number;
  /** Clock time of the next attempt waiting to go out, or null when none is waiting. */
  nextAt: number | null;
  startedAt: number;
}

export interface SimulateOptions<T> {
  callbacks: readonly T[];
  /** The retries after the first attempt (retry/schedule.ts: retrySchedule, scheduleFromGaps). */
  schedule: readonly ScheduledRetry[];
  send(callback: T, request: SendRequest): Promise<SendResult>;
  clock: Clock;
  policy?: Policy;
  signal?: AbortSignal;
  /** --rate: pace attempts at this many per second, with the AIMD model of rate.ts. */
  ratePerSecond?: number;
  /** Most attempts in flight at once (default 64, the HTTP pool's connections). */
  concurrency?: number;
  onAttempt?(record: AttemptRecord): void;
  onProgress?(snapshot: ProgressSnapshot): void;
}

interface Due {
  at: number;
  seq: number;
  index: number;
  attempt: number;
  /** When it was queued: the run's start for a first attempt, the previous answer's arrival for a retry. */
  readyAt: number;
}

/** A binary min-heap on (at, seq): due attempts in time order, ties in the order they were queued. */
class DueQueue {
  private items: Due[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Due | undefined {
    return this.items[0];
  }
  push(d: Due): void {
    const a = this.items;
    a.push(d);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Due | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

const before = (x: Due, y: Due): boolean => x.at < y.at || (x.at === y.at && x.seq < y.seq);

interface CallbackState {
  firstAt: number | null;
  attempts: AttemptRecord[];
  final: FinalOutcome | null;
}

/** Promise.withResolvers needs Node 22; the project supports Node 20. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export async function simulateRetries<T>(opts: SimulateOptions<T>): Promise<SimulationResult> {
  const { clock, callbacks } = opts;
  const policy = opts.policy ?? sinchPolicy;
  const plan = planAttempts(opts.schedule);
  const cap = Math.max(1, opts.concurrency ?? 64);
  const outer = opts.signal;
  // Aborting this one tells in-flight requests to give up; it follows the caller's signal.
  const run = new AbortController();
  // Every in-flight request listens on this signal; up to `cap` of them at once is expected, not a leak.
  setMaxListeners(cap + 16, run.signal);
  // Resolves when the caller aborts, so a wait on answers ends too.
  let resolveAborted!: () => void;
  const aborted = new Promise<void>((resolve) => (resolveAborted = resolve));
  const onOuterAbort = (): void => {
    run.abort(outer?.reason);
    resolveAborted();
  };
  if (outer?.aborted) onOuterAbort();
  else outer?.addEventListener("abort", onOuterAbort, { once: true });

  const states: CallbackState[] = callbacks.map(() => ({ firstAt: null, attempts: [], final: null }));
  const queue = new DueQueue();
  const startedAt = clock.now();
  let seq = 0;
  for (let i = 0; i < callbacks.length; i++) queue.push({ at: startedAt, seq: seq++, index: i, attempt: 1, readyAt: startedAt });

  let rate: RateModel | null = opts.ratePerSecond === undefined ? null : createRateModel(opts.ratePerSecond);
  const rateChanges: RateChange[] = [];
  const inFlight = new Set<Promise<void>>();
  let attemptsSent = 0;
  let finished = 0;
  let delivered = 0;
  let failure: { error: unknown } | null = null;

  // Resolved (and replaced) whenever an answer has been recorded, so a wait can end early.
  let answered = deferred();
  const notifyAnswered = (): void => {
    const current = answered;
    answered = deferred();
    current.resolve();
  };

  const progress = (nextAt: number | null): void =>
    opts.onProgress?.({ attempts: attemptsSent, inFlight: inFlight.size, finished, total: callbacks.length, delivered, nextAt, startedAt });

  const finish = (st: CallbackState, final: FinalOutcome): void => {
    st.final = final;
    finished++;
    if (final.kind === "delivered") delivered++;
  };

  const settle = (due: Due, record: AttemptRecord, result: SendResult | null): void => {
    const st = states[due.index]!;
    st.attempts.push(record);
    if (result === null || (result.status === undefined && run.signal.aborted)) {
      // Stopped mid-request: no answer to classify. The callback ends as interrupted (below).
      if (result) record.latencyMs = result.latencyMs;
      opts.onAttempt?.(record);
      return;
    }
    record.latencyMs = result.latencyMs;
    if (result.status !== undefined) record.status = result.status;
    if (result.error) record.error = result.error;
    const outcome = result.status !== undefined ? policy.classifyStatus(result.status) : policy.classifyTransportFailure(result.error?.kind ?? "other");
    const decision = decideNext(outcome, due.attempt, plan);
    record.outcome = outcome;
    record.decision = decision;
    if (rate) {
      const r = afterAnswer(rate, { lowersRate: outcome.lowersRate, delivered: outcome.class === "delivered" }, clock.now());
      rate = r.model;
      if (r.change) {
        record.rateChange = { ...r.change, at: r.change.at - startedAt };
        rateChanges.push(record.rateChange);
      }
    }
    if (decision.kind === "retry") {
      queue.push({ at: st.firstAt! + decision.next.offsetMs, seq: seq++, index: due.index, attempt: decision.next.attempt, readyAt: clock.now() });
    } else {
      finish(st, { kind: decision.kind, attempts: st.attempts.length, offsetMs: record.offsetMs, ...(result.status !== undefined ? { status: result.status } : {}) });
    }
    opts.onAttempt?.(record);
  };

  const dispatch = (due: Due, plannedAt: number): void => {
    const st = states[due.index]!;
    if (st.firstAt === null) st.firstAt = plannedAt;
    if (rate) rate = afterSend(rate, plannedAt);
    const record: AttemptRecord = {
      index: due.index,
      attempt: due.attempt,
      scheduledMs: plan[due.attempt - 1]!.offsetMs,
      offsetMs: plannedAt - st.firstAt,
      pacedMs: plannedAt - due.at,
      lateMs: Math.max(0, clock.now() - plannedAt),
      heldMs: Math.max(0, Math.min(clock.now(), due.readyAt) - plannedAt),
      runOffsetMs: plannedAt - startedAt,
      latencyMs: 0,
      outcome: null,
      decision: null,
      ...(rate ? { rate: rate.rate } : {}),
    };
    attemptsSent++;
    const task = (async () => {
      let result: SendResult | null;
      try {
        result = await opts.send(callbacks[due.index]!, { index: due.index, attempt: due.attempt, signal: run.signal });
      } catch (error) {
        // The endpoint's failures come back as results; a throw is ours (e.g. no OAuth token): stop the run.
        if (run.signal.aborted) result = null;
        else {
          failure ??= { error };
          run.abort(error);
          result = null;
        }
      }
      settle(due, record, result);
    })().finally(() => {
      inFlight.delete(task);
      notifyAnswered();
    });
    inFlight.add(task);
  };

  try {
    while (!run.signal.aborted) {
      // 1. Send everything that is due, as far as the rate model and the concurrency cap allow.
      let wakeAt: number | null = null;
      while (queue.size > 0 && inFlight.size < cap) {
        const head = queue.peek()!;
        const plannedAt = rate ? Math.max(head.at, nextAllowedAt(rate)) : head.at;
        if (plannedAt > clock.now()) {
          wakeAt = plannedAt;
          break;
        }
        queue.pop();
        dispatch(head, plannedAt);
      }
      if (queue.size === 0 && inFlight.size === 0) break;

      // 2. Wait. On the virtual clock time stands still while answers are outstanding (a response arrives
      //    at the instant its request went out), so answers are collected before time may move; on real
      //    clocks time moves by itself and a slow endpoint must not hold back other callbacks' attempts.
      progress(wakeAt);
      if (wakeAt === null || (clock.virtual === true && inFlight.size > 0)) {
        await Promise.race([answered.promise, aborted]);
        continue;
      }
      const stopSleep = new AbortController();
      const sleepSignal = outer ? AbortSignal.any([outer, stopSleep.signal]) : stopSleep.signal;
      await Promise.race([clock.sleep(wakeAt - clock.now(), sleepSignal), answered.promise, aborted]);
      stopSleep.abort();
    }
  } finally {
    outer?.removeEventListener("abort", onOuterAbort);
    // Stopped early: in-flight requests were told to give up; wait for them so the report is complete.
    if (run.signal.aborted) await Promise.allSettled(inFlight);
  }
  if (failure) throw (failure as { error: unknown }).error;

  const callbacksOut: CallbackRun[] = states.map((st, index) => {
    const last = st.attempts.at(-1);
    const outcome: FinalOutcome = st.final ?? {
      kind: "interrupted",
      attempts: st.attempts.length,
      offsetMs: last?.offsetMs ?? 0,
      ...(last?.status !== undefined ? { status: last.status } : {}),
    };
    return { index, attempts: st.attempts, outcome };
  });
  return {
    callbacks: callbacksOut,
    startedAt,
    endedAt: clock.now(),
    rateChanges,
    interrupted: callbacksOut.some((c) => c.outcome.kind === "interrupted"),
    attempts: attemptsSent,
    plan,
  };
}
