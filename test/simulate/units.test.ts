import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { createTheme } from "../../src/render/theme.js";
import { classifyStatus, classifyTransportFailure } from "../../src/retry/policy.js";
import { formatCompactOffset, formatDuration, formatOffset, formatRate } from "../../src/simulate/format.js";
import { renderJunit, xmlEscape } from "../../src/simulate/junit.js";
import { parseClockFlag, parseRateFlag, parseScheduleFlag, simulateConfigFromFlags } from "../../src/simulate/options.js";
import { decideNext, missedExpectations, planAttempts, resolveSchedule } from "../../src/simulate/plan.js";
import { afterAnswer, afterSend, createRateModel, nextAllowedAt } from "../../src/simulate/rate.js";
import { outcomeText, renderSchedule } from "../../src/simulate/report.js";
import { findAll, parseXml } from "./xml.js";

const plain = createTheme(false);

describe("schedules (Decisions a)", () => {
  it("sinch: 16 attempts, offsets 0, 5, 10, 20 … 81920 s", () => {
    const s = resolveSchedule({ kind: "profile", profile: "sinch" });
    expect(s.attempts).toHaveLength(16);
    expect(s.attempts.map((a) => a.offsetMs / 1000)).toEqual([0, 5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960, 81920]);
    expect(s.attempts.map((a) => a.gapMs / 1000).slice(0, 4)).toEqual([0, 5, 5, 10]);
  });

  it("doubling-gaps: the last attempt at 163835 s", () => {
    const s = resolveSchedule({ kind: "profile", profile: "doubling-gaps" });
    expect(s.attempts.at(-1)).toEqual({ attempt: 16, offsetMs: 163_835_000, gapMs: 81_920_000 });
  });

  it("custom gaps in milliseconds add up without float drift; --max-retries caps any schedule", () => {
    const custom = resolveSchedule(parseScheduleFlag("50ms,100ms,1m"));
    expect(custom.attempts.map((a) => a.offsetMs)).toEqual([0, 50, 150, 60_150]);
    expect(custom.name).toBe("custom");
    const capped = resolveSchedule(parseScheduleFlag("5s,10s,1m"), 2);
    expect(capped.attempts.map((a) => a.offsetMs)).toEqual([0, 5_000, 15_000]);
    expect(capped.cappedAt).toBe(2);
    expect(resolveSchedule({ kind: "profile", profile: "sinch" }, 0).attempts).toEqual([{ attempt: 1, offsetMs: 0, gapMs: 0 }]);
    expect(resolveSchedule({ kind: "profile", profile: "sinch" }, 3).attempts.map((a) => a.offsetMs)).toEqual([0, 5_000, 10_000, 20_000]);
    expect(resolveSchedule({ kind: "profile", profile: "sinch" }, 40).cappedAt).toBeUndefined();
  });

  it("--print-schedule lists attempt, offset and gap", () => {
    const text = renderSchedule(resolveSchedule({ kind: "profile", profile: "sinch" }), plain);
    expect(text).toContain("        1  T+00:00:00   — (first try)");
    expect(text).toContain("        9  T+00:10:40   5 min 20 s");
    expect(text).toContain("       16  T+22:45:20   11 h 22 min 40 s");
    expect(text).toContain("16 attempts: the first try and 15 retries, the last at T+22h45m20s.");
    const ms = renderSchedule(resolveSchedule(parseScheduleFlag("50ms,100ms")), plain);
    expect(ms).toContain("        3  T+00:00:00.150   100 ms");
  });
});

describe("what Sinch does next (decideNext)", () => {
  const plan = planAttempts(resolveSchedule({ kind: "profile", profile: "sinch" }).retries);
  it.each([
    [classifyStatus(200), 1, "delivered"],
    [classifyStatus(400), 1, "dropped"],
    [classifyStatus(302), 3, "dropped"],
    [classifyStatus(503), 1, "retry"],
    [classifyStatus(429), 15, "retry"],
    [classifyTransportFailure("refused"), 2, "retry"],
    [classifyStatus(500), 16, "exhausted"],
  ] as const)("%j on attempt %i → %s", (outcome, attempt, kind) => {
    expect(decideNext(outcome, attempt, plan).kind).toBe(kind);
  });

  it("a retry names the next attempt and the gap to it", () => {
    expect(decideNext(classifyStatus(503), 2, plan)).toEqual({ kind: "retry", next: { attempt: 3, offsetMs: 10_000, gapMs: 5_000 }, inMs: 5_000, retry: 2, of: 15 });
  });
});

describe("outcome lines and expectations", () => {
  it("reads like the issue's examples", () => {
    expect(outcomeText({ kind: "delivered", attempts: 3, offsetMs: 15_000 })).toBe("delivered on attempt 3 at T+15s");
    expect(outcomeText({ kind: "dropped", attempts: 1, offsetMs: 0, status: 400 })).toBe("dropped on attempt 1 (400)");
    expect(outcomeText({ kind: "exhausted", attempts: 16, offsetMs: 81_920_000 })).toBe("exhausted after 16 attempts (T+22h45m20s)");
    expect(outcomeText({ kind: "interrupted", attempts: 0, offsetMs: 0 })).toBe("interrupted before the first attempt");
  });

  it("an interrupted callback meets no expectation", () => {
    const delivered = { kind: "delivered" as const, attempts: 3, offsetMs: 10_000 };
    expect(missedExpectations(delivered, { outcome: "delivered", attempts: 3 })).toEqual([]);
    expect(missedExpectations(delivered, { outcome: "exhausted" })).toEqual(["expected exhausted, got delivered"]);
    expect(missedExpectations(delivered, { attempts: 2 })).toEqual(["expected 2 attempts, got 3"]);
    expect(missedExpectations({ kind: "interrupted", attempts: 2, offsetMs: 5_000 }, { attempts: 2 })).toEqual(["interrupted before the outcome was known"]);
    expect(missedExpectations({ kind: "interrupted", attempts: 2, offsetMs: 5_000 }, {})).toEqual([]);
  });
});

describe("rate model (Decisions c: AIMD, a model)", () => {
  it("halves on 429 down to a floor, climbs by ceiling/20 per delivery up to the ceiling", () => {
    let m = createRateModel(100);
    expect(nextAllowedAt(m)).toBe(Number.NEGATIVE_INFINITY);
    m = afterSend(m, 1_000);
    expect(nextAllowedAt(m)).toBe(1_010);
    const r1 = afterAnswer(m, { lowersRate: true, delivered: false }, 1_002);
    expect(r1.change).toEqual({ at: 1_002, from: 100, to: 50, reason: "429" });
    expect(nextAllowedAt(r1.model)).toBe(1_020);
    let low = r1.model;
    for (let i = 0; i < 10; i++) low = afterAnswer(low, { lowersRate: true, delivered: false }, 0).model;
    expect(low.rate).toBe(100 / 64);
    const up = afterAnswer(low, { lowersRate: false, delivered: true }, 0);
    expect(up.change?.to).toBeCloseTo(100 / 64 + 5);
    expect(afterAnswer(createRateModel(100), { lowersRate: false, delivered: true }, 0).change).toBeUndefined();
    expect(afterAnswer(r1.model, { lowersRate: false, delivered: false }, 0).change).toBeUndefined();
  });
});

describe("formats", () => {
  it.each([
    [0, "T+00:00:00", "T+0s"],
    [15_000, "T+00:00:15", "T+15s"],
    [640_000, "T+00:10:40", "T+10m40s"],
    [81_920_000, "T+22:45:20", "T+22h45m20s"],
    [163_835_000, "T+45:30:35", "T+45h30m35s"],
    [150, "T+00:00:00", "T+150ms"],
    [1_500, "T+00:00:01", "T+1.5s"],
  ])("%i ms → %s / %s", (ms, long, compact) => {
    expect(formatOffset(ms)).toBe(long);
    expect(formatCompactOffset(ms)).toBe(compact);
  });
  it("durations and rates", () => {
    expect(formatOffset(150, true)).toBe("T+00:00:00.150");
    expect(formatDuration(5_000)).toBe("5 s");
    expect(formatDuration(50)).toBe("50 ms");
    expect(formatDuration(1_500)).toBe("1.5 s");
    expect(formatDuration(40_960_000)).toBe("11 h 22 min 40 s");
    expect(formatRate(100)).toBe("100/s");
    expect(formatRate(100 / 64)).toBe("1.56/s");
  });
});

describe("flags", () => {
  it("--schedule: profiles, or gaps that carry a unit", () => {
    expect(parseScheduleFlag("sinch")).toEqual({ kind: "profile", profile: "sinch" });
    expect(parseScheduleFlag("5s, 10s ,1m")).toEqual({ kind: "custom", gapsMs: [5_000, 10_000, 60_000] });
    expect(() => parseScheduleFlag("5,10")).toThrow(/need a unit/);
    expect(() => parseScheduleFlag("5s,,10s")).toThrow(UsageError);
    expect(() => parseScheduleFlag("fast")).toThrow(/--schedule/);
    expect(() => parseScheduleFlag("0ms")).toThrow(/at least 1ms/);
  });
  it("--clock and --rate", () => {
    expect(parseClockFlag("virtual")).toEqual({ kind: "virtual" });
    expect(parseClockFlag("scaled:1000")).toEqual({ kind: "scaled", factor: 1000 });
    expect(() => parseClockFlag("scaled:0")).toThrow(/scaled:N/);
    expect(() => parseClockFlag("fast")).toThrow(UsageError);
    expect(parseRateFlag("50/s")).toBe(50);
    expect(parseRateFlag("600/m")).toBe(10);
    expect(() => parseRateFlag("0")).toThrow(/--rate/);
  });
  it.each<[Record<string, unknown>, RegExp]>([
    [{}, /missing --to/],
    [{ to: "ftp://x" }, /--to must use http or https/],
    [{ to: "http://u:p@127.0.0.1/" }, /must not contain credentials/],
    [{ to: "http://127.0.0.1/", reuseSignature: true }, /--reuse-signature needs --hmac-secret/],
    [{ to: "http://127.0.0.1/", expect: "lost" }, /--expect must be one of delivered, dropped, exhausted/],
    [{ to: "http://127.0.0.1/", expectAttempts: "17" }, /can never be met: the schedule has 16 attempts/],
    [{ to: "http://127.0.0.1/", count: "0" }, /--count must be a whole number >= 1/],
    [{ to: "http://127.0.0.1/", count: "10001" }, /at most 10000/],
    [{ to: "http://127.0.0.1/", timeout: "soon" }, /--timeout must be a duration/],
    [{ to: "http://127.0.0.1/", maxRetries: "-1" }, /--max-retries/],
    [{ to: "http://127.0.0.1/", oauthTokenUrl: "http://127.0.0.1/t" }, /needs --oauth-credentials/],
    [{ to: "http://127.0.0.1/", basicAuth: "a:b", oauthTokenUrl: "http://127.0.0.1/t", oauthCredentials: "c:d" }, /cannot be combined/],
  ])("%j is a usage error", (flags, message) => {
    expect(() => simulateConfigFromFlags(flags, {})).toThrow(UsageError);
    expect(() => simulateConfigFromFlags(flags, {})).toThrow(message);
  });
  it("reads the target and secrets from the environment; --print-schedule needs no target", () => {
    const cfg = simulateConfigFromFlags({ reuseSignature: true }, { SINCH_HOOKS_TARGET: "http://127.0.0.1:9/x", SINCH_HOOKS_HMAC_SECRET: "env-secret" });
    expect(cfg.target?.toString()).toBe("http://127.0.0.1:9/x");
    expect(cfg.auth.hmacSecret).toBe("env-secret");
    expect(cfg.timeoutMs).toBe(10_000);
    expect(cfg.clock).toEqual({ kind: "virtual" });
    expect(simulateConfigFromFlags({ printSchedule: true }, {}).target).toBeUndefined();
  });
});

describe("JUnit writer", () => {
  it("escapes names and output, and parses back", () => {
    const xml = renderJunit({
      name: "suite <1>",
      time: 1.5,
      timestamp: "2026-11-27T12:00:00.000Z",
      cases: [
        { name: 'a & "b"', classname: "c", time: 0.01, systemOut: "line 1\nT+00:00:05 → <retry>\u0001" },
        { name: "d", classname: "c", time: 0, failure: { message: "expected delivered, got exhausted", body: "x" }, systemOut: "" },
      ],
    });
    const root = parseXml(xml);
    expect(root.name).toBe("testsuites");
    const cases = findAll(root, "testcase");
    expect(cases.map((c) => c.attrs.name)).toEqual(['a & "b"', "d"]);
    expect(findAll(cases[0]!, "system-out")[0]!.text).toBe("line 1\nT+00:00:05 → <retry>\uFFFD");
    expect(findAll(root, "failure").map((f) => f.attrs.message)).toEqual(["expected delivered, got exhausted"]);
    expect(findAll(root, "testsuite")[0]!.attrs).toMatchObject({ tests: "2", failures: "1" });
    expect(xmlEscape("\u001b[31mred\u001b[39m")).toBe("red");
  });
});
