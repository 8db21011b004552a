import { describe, expect, it } from "vitest";
import { createScaledClock, createVirtualClock, systemClock } from "../../src/retry/clock.js";

describe("virtual clock", () => {
  it("sleep moves now() forward at once and records the wait", async () => {
    const clock = createVirtualClock(1_000);
    await clock.sleep(5_000);
    await clock.sleep(81_915_000);
    expect(clock.now()).toBe(1_000 + 81_920_000);
    expect(clock.sleeps).toEqual([5_000, 81_915_000]);
    expect(clock.virtual).toBe(true);
  });

  it("zero, negative and aborted sleeps leave the time alone", async () => {
    const clock = createVirtualClock();
    await clock.sleep(0);
    await clock.sleep(-5);
    await clock.sleep(10, AbortSignal.abort());
    expect(clock.now()).toBe(0);
    expect(clock.sleeps).toEqual([]);
  });
});

describe("system clock", () => {
  it("sleeps at least as long as asked (a lower bound only)", async () => {
    const before = systemClock.now();
    await systemClock.sleep(30);
    expect(systemClock.now() - before).toBeGreaterThanOrEqual(30);
  });

  it("an abort ends a long sleep early, without throwing", async () => {
    const ac = new AbortController();
    const sleeping = systemClock.sleep(60_000, ac.signal);
    ac.abort();
    // Were the abort ignored, this would wait a minute and the test would time out.
    await expect(sleeping).resolves.toBeUndefined();
  });
});

describe("scaled clock", () => {
  it("runs factor times faster than its base clock", async () => {
    const base = createVirtualClock(10_000);
    const scaled = createScaledClock(1000, base);
    const start = scaled.now();
    await scaled.sleep(81_920_000);
    expect(scaled.now() - start).toBe(81_920_000);
    expect(base.sleeps).toEqual([81_920]);
  });

  it("on the system clock, waits at least 1/factor of the scaled time for real", async () => {
    const scaled = createScaledClock(100);
    const realBefore = performance.now();
    const before = scaled.now();
    await scaled.sleep(5_000);
    expect(scaled.now() - before).toBeGreaterThanOrEqual(5_000);
    // 5000 scaled ms at 100× are 50 real ms (less a float rounding error from the multiplication).
    expect(performance.now() - realBefore).toBeGreaterThanOrEqual(49.999);
    expect(scaled.scale).toBe(100);
  });

  it("refuses a factor that is not a positive number", () => {
    expect(() => createScaledClock(0)).toThrow(RangeError);
    expect(() => createScaledClock(Number.NaN)).toThrow(RangeError);
  });
});
