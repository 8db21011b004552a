/**
 * Runs `total` sends with at most `concurrency` in flight, starting them in index order, optionally
 * paced to a rate, until done or the signal aborts. Knows nothing about HTTP: `send` does the work.
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface Pacer {
  /** Waits for the next start slot; false when the signal aborted first. */
  acquire(signal?: AbortSignal): Promise<boolean>;
}

/**
 * Start times at least 1/rate apart: slot k = max(now, slot k-1 + interval). Slots are reserved
 * synchronously, so concurrent callers get them in call order. A late start is not made up for with a
 * burst: after a slow answer the next request still waits its full interval, so the rate is a ceiling
 * the endpoint never sees exceeded.
 */
export function createPacer(ratePerSecond: number, now: () => number = () => performance.now()): Pacer {
  const interval = 1000 / ratePerSecond;
  let last = -Infinity;
  return {
    async acquire(signal) {
      const t = now();
      const slot = Math.max(t, last + interval);
      last = slot;
      const wait = slot - t;
      if (signal?.aborted) return false;
      if (wait <= 0) return true;
      try {
        // Rounded up: a timer that fires a fraction of a millisecond early would start a request too soon.
        await sleep(Math.ceil(wait), undefined, { signal });
        return true;
      } catch {
        return false;
      }
    },
  };
}

export interface RunOptions<R> {
  total: number;
  concurrency: number;
  ratePerSecond?: number;
  /** Stops starting new sends; in-flight ones are left to `send` (which should watch the same signal). */
  signal?: AbortSignal;
  send(index: number): Promise<R>;
  /** Called as each send completes, in completion order (index order at concurrency 1). */
  onResult(index: number, result: R): void;
}

export interface RunSummary {
  /** How many sends were started. */
  started: number;
  /** From the first start to the last completion, in ms. */
  durationMs: number;
}

export async function runRequests<R>(opts: RunOptions<R>): Promise<RunSummary> {
  const pacer = opts.ratePerSecond === undefined ? undefined : createPacer(opts.ratePerSecond);
  let next = 0;
  let started = 0;
  let firstStart: number | undefined;
  // A send that throws stops the run: the other workers finish what they hold and start nothing new,
  // and the error is raised once they have (never while requests are still going out).
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (opts.signal?.aborted || failure) return;
      if (next >= opts.total) return;
      // The index and the pacer slot are taken in the same synchronous step, so starts follow index order.
      const index = next++;
      if (pacer && !(await pacer.acquire(opts.signal))) return;
      if (opts.signal?.aborted || failure) return;
      started++;
      firstStart ??= performance.now();
      let result: R;
      try {
        result = await opts.send(index);
      } catch (error) {
        failure ??= { error };
        return;
      }
      opts.onResult(index, result);
    }
  };
  const workers = Math.max(1, Math.min(opts.concurrency, opts.total));
  await Promise.all(Array.from({ length: workers }, worker));
  // The last worker ends right after the last answer: one clock read here instead of one per request.
  const durationMs = firstStart === undefined ? 0 : performance.now() - firstStart;
  if (failure) throw failure.error;
  return { started, durationMs };
}
