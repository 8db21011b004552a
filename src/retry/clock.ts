/**
 * Time, passed in. `simulate-retries` runs one code path against three clocks: the system clock
 * (`--clock real`, waits Sinch's schedule for real), a scaled clock (`--clock scaled:N`, N times faster)
 * and a virtual clock (`--clock virtual`, the CI default), whose `sleep` moves `now()` forward at once.
 * Only the clock differs, so what the virtual clock reports is what the real one would do
 * (shared/reference/style.md §3, "retry/ keeps the schedule and policy as data … with the clock injected").
 */

export interface Clock {
  /** Milliseconds on this clock's timeline (epoch-based for the system clock; may be fractional). */
  now(): number;
  /**
   * Resolves once `ms` have passed on this clock, or early (without throwing) when `signal` aborts;
   * callers check `signal.aborted` afterwards. `ms <= 0` resolves on the next microtask.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * True when time moves only through `sleep()`. Time then stands still while a request is in flight,
   * so a caller that must not let time overtake an outstanding answer collects answers before sleeping.
   * A clock without the flag is taken to run by itself.
   */
  readonly virtual?: boolean;
  /** How many of this clock's milliseconds pass per real millisecond (1 real, N scaled; absent when virtual). */
  readonly scale?: number;
}

/** setTimeout takes at most 2^31−1 ms (about 24.8 days); longer custom schedules sleep in chunks. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function realDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Sleeps until `now() >= target` on a clock driven by real timers. Node timers may fire a fraction
 * of a millisecond before the monotonic clock reaches the target, so this loops until it has: an
 * attempt never goes out before its scheduled time.
 */
async function sleepUntil(now: () => number, target: number, realMsPerClockMs: number, signal: AbortSignal | undefined): Promise<void> {
  for (;;) {
    if (signal?.aborted) return;
    const left = target - now();
    if (left <= 0) return;
    await realDelay(Math.max(1, Math.ceil(left * realMsPerClockMs)), signal);
  }
}

/** Monotonic wall time: performance.now() does not jump when the system clock is adjusted mid-run. */
const monotonicNow = (): number => performance.timeOrigin + performance.now();

export const systemClock: Clock = {
  now: monotonicNow,
  sleep(ms, signal) {
    if (ms <= 0) return Promise.resolve();
    return sleepUntil(monotonicNow, monotonicNow() + ms, 1, signal);
  },
  scale: 1,
};

export interface VirtualClock extends Clock {
  readonly virtual: true;
  /** Every sleep asked for, in order (ms), for tests and reports. */
  readonly sleeps: readonly number[];
}

/** A clock whose `sleep` advances `now()` at once: the whole 22 h 45 min schedule takes no waiting. */
export function createVirtualClock(start = 0): VirtualClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    virtual: true,
    sleeps,
    now: () => now,
    async sleep(ms, signal) {
      if (signal?.aborted) return;
      if (ms > 0) {
        sleeps.push(ms);
        now += ms;
      }
    },
  };
}

/**
 * A clock that runs `factor` times faster than `base` (the system clock by default): `scaled:1000` plays
 * the 81 920 s schedule in 82 s of real time. Its `now()` starts at base.now() and then runs fast.
 */
export function createScaledClock(factor: number, base: Clock = systemClock): Clock {
  if (!Number.isFinite(factor) || factor <= 0) throw new RangeError(`scale factor must be a number > 0 (got ${factor})`);
  const origin = base.now();
  const now = (): number => origin + (base.now() - origin) * factor;
  return {
    now,
    scale: factor * (base.scale ?? 1),
    sleep(ms, signal) {
      if (ms <= 0) return Promise.resolve();
      if (base === systemClock) return sleepUntil(now, now() + ms, 1 / factor, signal);
      return base.sleep(ms / factor, signal);
    },
  };
}
