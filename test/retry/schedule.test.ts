import { describe, expect, it } from "vitest";
import { classifyStatus, classifyTransportFailure } from "../../src/retry/policy.js";
import { formatSeconds, retrySchedule, scheduleFromGaps } from "../../src/retry/schedule.js";

describe("retry schedule (sinch-callbacks.md Decisions a)", () => {
  it("sinch: offsets double from 5 s to 81920 s, 15 retries", () => {
    const s = retrySchedule("sinch");
    expect(s).toHaveLength(15);
    expect(s.map((r) => r.offsetSeconds)).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960, 81920]);
    expect(s.map((r) => r.gapSeconds)).toEqual([5, 5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960]);
    expect(formatSeconds(s.at(-1)!.offsetSeconds)).toBe("22 h 45 min 20 s");
  });
  it("doubling-gaps: gaps double, last retry at 163835 s", () => {
    const s = retrySchedule("doubling-gaps");
    expect(s.map((r) => r.gapSeconds)).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960, 81920]);
    expect(s.map((r) => r.offsetSeconds).slice(0, 5)).toEqual([5, 15, 35, 75, 155]);
    expect(s.at(-1)!.offsetSeconds).toBe(163835);
    expect(formatSeconds(163835)).toBe("45 h 30 min 35 s");
  });
  it("caps retries and builds custom schedules from gaps", () => {
    expect(retrySchedule("sinch", 3).map((r) => r.offsetSeconds)).toEqual([5, 10, 20]);
    expect(scheduleFromGaps([5, 10, 60])).toEqual([
      { retry: 1, offsetSeconds: 5, gapSeconds: 5 },
      { retry: 2, offsetSeconds: 15, gapSeconds: 10 },
      { retry: 3, offsetSeconds: 75, gapSeconds: 60 },
    ]);
  });
});

describe("outcome policy", () => {
  it.each([
    [200, "delivered", false],
    [299, "delivered", false],
    [500, "retry", false],
    [503, "retry", false],
    [429, "retry", false],
    [400, "dropped", false],
    [404, "dropped", false],
    [301, "dropped", true],
    [101, "dropped", true],
  ] as const)("%i → %s (assumption: %s)", (status, cls, assumption) => {
    const o = classifyStatus(status);
    expect(o.class).toBe(cls);
    expect(o.assumption).toBe(assumption);
    expect(o.lowersRate).toBe(status === 429);
  });
  it("connection failures and timeouts are retried, labelled as assumptions", () => {
    for (const k of ["refused", "reset", "timeout", "dns", "other"] as const) {
      expect(classifyTransportFailure(k)).toMatchObject({ class: "retry", assumption: true });
    }
  });
});
