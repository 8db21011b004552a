/**
 * simulateRetries against real HTTP servers on 127.0.0.1 (test/helpers/target-server.ts), through the
 * real HTTP client. The virtual clock runs the same code path as the real and scaled ones; the real and
 * scaled clocks are tested with a short custom schedule and lower bounds only.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createScaledClock, createVirtualClock, systemClock, type Clock } from "../../src/retry/clock.js";
import { retrySchedule, type ScheduledRetry } from "../../src/retry/schedule.js";
import { createHttpClient, type HttpClient } from "../../src/send/http.js";
import { simulateRetries, type ProgressSnapshot, type SimulateOptions } from "../../src/simulate/engine.js";
import { parseScheduleFlag } from "../../src/simulate/options.js";
import { resolveSchedule } from "../../src/simulate/plan.js";
import { TargetServer, closedPort, type Behaviour } from "../helpers/target-server.js";

const servers: TargetServer[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function target(script: Behaviour[]): Promise<TargetServer> {
  const s = await new TargetServer(script).start();
  servers.push(s);
  return s;
}

const status = (...codes: number[]): Behaviour[] => codes.map((c) => ({ kind: "status", status: c }));
const custom = (spec: string): readonly ScheduledRetry[] => resolveSchedule(parseScheduleFlag(spec)).retries;

async function run(
  origin: string,
  opts: Partial<SimulateOptions<string>> & { timeoutMs?: number; count?: number } = {},
): Promise<Awaited<ReturnType<typeof simulateRetries<string>>> & { sentAt: number[][] }> {
  const client = await createHttpClient(origin, { timeoutMs: opts.timeoutMs ?? 2_000 });
  clients.push(client);
  const count = opts.count ?? 1;
  const sentAt: number[][] = Array.from({ length: count }, () => []);
  const result = await simulateRetries<string>({
    callbacks: Array.from({ length: count }, (_, i) => `{"type":"mo_text","n":${i}}`),
    schedule: retrySchedule("sinch"),
    clock: createVirtualClock(1_000_000),
    send: (body, req) => {
      sentAt[req.index]!.push(performance.now());
      return client.send({ path: "/sinch", headers: { "content-type": "application/json" }, body: Buffer.from(body), signal: req.signal });
    },
    ...opts,
  });
  return { ...result, sentAt };
}

describe("virtual clock: outcomes at their schedule offsets", () => {
  it.each([
    ["sinch", 0, 0],
    ["sinch", 2, 10_000],
    ["sinch", 8, 640_000],
    ["doubling-gaps", 2, 15_000],
    ["doubling-gaps", 8, 1_275_000],
  ] as const)("%s: fails %i times then 200 → delivered on the next attempt at its offset", async (profile, failures, offsetMs) => {
    const s = await target([...status(...Array.from({ length: failures }, () => 503)), ...status(200)]);
    const r = await run(s.url, { schedule: retrySchedule(profile) });
    expect(s.received).toHaveLength(failures + 1);
    expect(r.callbacks[0]!.outcome).toEqual({ kind: "delivered", attempts: failures + 1, offsetMs, status: 200 });
    expect(r.callbacks[0]!.attempts.map((a) => a.decision?.kind)).toEqual([...Array.from({ length: failures }, () => "retry"), "delivered"]);
  });

  it("sinch: always 500 → 16 attempts, the last at 81920 s, and Sinch gives up", async () => {
    const s = await target(status(500));
    const clock = createVirtualClock(0);
    const r = await run(s.url, { clock });
    const attempts = r.callbacks[0]!.attempts;
    expect(s.received).toHaveLength(16);
    expect(attempts.map((a) => a.offsetMs / 1000)).toEqual([0, 5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960, 81920]);
    expect(attempts.every((a) => a.lateMs === 0 && a.outcome?.reason === "5xx" && !a.outcome.assumption)).toBe(true);
    expect(r.callbacks[0]!.outcome).toEqual({ kind: "exhausted", attempts: 16, offsetMs: 81_920_000, status: 500 });
    // Same code path as the real clock: the engine slept the schedule's gaps, the clock just did not wait.
    expect(clock.sleeps).toEqual([5, 5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960].map((sec) => sec * 1000));
    expect(clock.now()).toBe(81_920_000);
  });

  it("doubling-gaps: always 500 → the last attempt at 163835 s", async () => {
    const s = await target(status(500));
    const r = await run(s.url, { schedule: retrySchedule("doubling-gaps") });
    expect(r.callbacks[0]!.outcome).toMatchObject({ kind: "exhausted", attempts: 16, offsetMs: 163_835_000 });
  });

  it("400 at once → dropped on attempt 1, never retried", async () => {
    const s = await target(status(400, 200));
    const r = await run(s.url);
    expect(s.received).toHaveLength(1);
    expect(r.callbacks[0]!.outcome).toEqual({ kind: "dropped", attempts: 1, offsetMs: 0, status: 400 });
    expect(r.callbacks[0]!.attempts[0]!.outcome).toMatchObject({ class: "dropped", assumption: false });
  });

  it("a 3xx is final too, labelled as an assumption (Decisions b)", async () => {
    const s = await target(status(302));
    const r = await run(s.url);
    expect(r.callbacks[0]!.outcome.kind).toBe("dropped");
    expect(r.callbacks[0]!.attempts[0]!.outcome).toMatchObject({ class: "dropped", reason: "3xx", assumption: true });
  });

  it("custom schedule and --max-retries", async () => {
    const s = await target(status(500));
    const r = await run(s.url, { schedule: custom("5s,10s,1m") });
    expect(r.callbacks[0]!.attempts.map((a) => a.offsetMs)).toEqual([0, 5_000, 15_000, 75_000]);
    const capped = await run(s.url, { schedule: retrySchedule("sinch", 2) });
    expect(capped.callbacks[0]!.outcome).toMatchObject({ kind: "exhausted", attempts: 3, offsetMs: 10_000 });
    const none = await run(s.url, { schedule: [] });
    expect(none.callbacks[0]!.outcome).toMatchObject({ kind: "exhausted", attempts: 1, offsetMs: 0 });
  });
});

describe("answers Sinch does not document are retried, labelled as assumptions", () => {
  it("slower than the timeout → timeout, retried", async () => {
    const s = await target([{ kind: "delay", ms: 1_500, status: 200 }, ...status(200)]);
    const r = await run(s.url, { timeoutMs: 100 });
    const [first, second] = r.callbacks[0]!.attempts;
    expect(first).toMatchObject({ outcome: { class: "retry", reason: "timeout", assumption: true }, error: { kind: "timeout" } });
    expect(first!.status).toBeUndefined();
    expect(first!.latencyMs).toBeGreaterThanOrEqual(100);
    expect(second).toMatchObject({ status: 200, offsetMs: 5_000 });
    expect(r.callbacks[0]!.outcome).toMatchObject({ kind: "delivered", attempts: 2 });
  });

  it("a connection reset → retried", async () => {
    const s = await target([{ kind: "reset" }, ...status(200)]);
    const r = await run(s.url);
    expect(r.callbacks[0]!.attempts[0]).toMatchObject({ error: { kind: "reset" }, outcome: { class: "retry", reason: "connection reset", assumption: true } });
    expect(r.callbacks[0]!.outcome.kind).toBe("delivered");
  });

  it("a closed port → connection refused on every attempt, exhausted", async () => {
    const port = await closedPort();
    const r = await run(`http://127.0.0.1:${port}`, { schedule: custom("5s,10s") });
    const attempts = r.callbacks[0]!.attempts;
    expect(attempts).toHaveLength(3);
    expect(attempts.every((a) => a.error?.kind === "refused" && a.outcome?.reason === "connection refused" && a.outcome.assumption)).toBe(true);
    expect(r.callbacks[0]!.outcome).toMatchObject({ kind: "exhausted", attempts: 3, offsetMs: 15_000 });
  });
});

describe("many callbacks, each on its own schedule", () => {
  it("--count: concurrent first attempts, every callback through its own schedule", async () => {
    const s = await target([{ kind: "delay", ms: 20, status: 500 }]);
    const snapshots: ProgressSnapshot[] = [];
    const r = await run(s.url, { count: 40, schedule: custom("5s,10s"), onProgress: (p) => snapshots.push(p) });
    expect(s.received).toHaveLength(120);
    expect(r.callbacks.map((c) => c.outcome.kind)).toEqual(Array.from({ length: 40 }, () => "exhausted"));
    for (const c of r.callbacks) expect(c.attempts.map((a) => a.offsetMs)).toEqual([0, 5_000, 15_000]);
    // All 40 first attempts were in flight together, not one after another.
    expect(Math.max(...snapshots.map((p) => p.inFlight))).toBe(40);
    // Attempt k of every callback went out before attempt k+1 of any (they share one virtual timeline).
    const order = s.received.map((q) => q.body.toString());
    expect(new Set(order.slice(0, 40)).size).toBe(40);
  });

  it("the concurrency cap bounds what is in flight", async () => {
    const s = await target([{ kind: "delay", ms: 5, status: 200 }]);
    const snapshots: ProgressSnapshot[] = [];
    await run(s.url, { count: 30, concurrency: 4, onProgress: (p) => snapshots.push(p) });
    expect(s.received).toHaveLength(30);
    expect(Math.max(...snapshots.map((p) => p.inFlight))).toBe(4);
  });

  it("--rate paces first attempts one interval apart on the shared timeline", async () => {
    const s = await target(status(200));
    const r = await run(s.url, { count: 5, ratePerSecond: 10 });
    expect(r.callbacks.map((c) => c.attempts[0]!.runOffsetMs)).toEqual([0, 100, 200, 300, 400]);
    expect(r.callbacks.map((c) => c.attempts[0]!.pacedMs)).toEqual([0, 100, 200, 300, 400]);
    // Offsets stay relative to each callback's own first attempt, as Sinch measures its schedule.
    expect(r.callbacks.map((c) => c.outcome.offsetMs)).toEqual([0, 0, 0, 0, 0]);
  });

  it("429 then 200: retried, and the modelled rate halves, then climbs back on deliveries", async () => {
    const s = await target(status(429, 200));
    const r = await run(s.url, { count: 3, ratePerSecond: 10 });
    const first = r.callbacks[0]!.attempts[0]!;
    expect(first).toMatchObject({ status: 429, outcome: { class: "retry", reason: "429", lowersRate: true }, rateChange: { from: 10, to: 5, reason: "429" } });
    expect(r.rateChanges.map((c) => [c.reason, c.from, c.to])).toEqual([
      ["429", 10, 5],
      ["delivered", 5, 5.5],
      ["delivered", 5.5, 6],
      ["delivered", 6, 6.5],
    ]);
    // After the 429 the next first attempt waits 1/5 s instead of 1/10 s.
    expect(r.callbacks[1]!.attempts[0]!.runOffsetMs).toBe(200);
    expect(r.callbacks.map((c) => c.outcome.kind)).toEqual(["delivered", "delivered", "delivered"]);
    expect(r.callbacks[0]!.outcome).toMatchObject({ attempts: 2, offsetMs: 5_000 });
  });
});

async function timed(clock: Clock, schedule: readonly ScheduledRetry[]): ReturnType<typeof run> {
  const s = await target(status(500));
  return run(s.url, { clock, schedule });
}

describe("real and scaled clocks: the same engine, waiting for real", () => {

  it("real clock, 50ms,100ms: three attempts in order, each no earlier than its offset", async () => {
    const r = await timed(systemClock, custom("50ms,100ms"));
    const at = r.sentAt[0]!;
    expect(r.callbacks[0]!.attempts.map((a) => a.offsetMs)).toEqual([0, 50, 150]);
    expect(at).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(50);
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(150);
    expect(r.callbacks[0]!.attempts.every((a) => a.lateMs >= 0)).toBe(true);
  });

  it("scaled:100, 5s,10s: Sinch's offsets reported, at least 1/100 of them waited for real", async () => {
    const r = await timed(createScaledClock(100), custom("5s,10s"));
    const at = r.sentAt[0]!;
    expect(r.callbacks[0]!.attempts.map((a) => a.offsetMs)).toEqual([0, 5_000, 15_000]);
    // 5000 scaled ms at 100× are 50 real ms (less a float rounding error from the multiplication).
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(49.999);
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(149.999);
    expect(r.callbacks[0]!.outcome).toMatchObject({ kind: "exhausted", attempts: 3 });
  });
});

describe("lateness on a scaled clock", () => {
  it("an endpoint slower than a scaled gap holds the next attempt back: late, and the hold is told apart", async () => {
    const s = await target([{ kind: "delay", ms: 30, status: 500 }, ...status(200)]);
    // scaled:1000 turns Sinch's 5 s gap into 5 real ms, but the endpoint still takes 30 real ms to answer.
    const r = await run(s.url, { clock: createScaledClock(1000), schedule: custom("5s") });
    const second = r.callbacks[0]!.attempts[1]!;
    expect(second.offsetMs).toBe(5_000);
    expect(second.lateMs).toBeGreaterThanOrEqual(25_000 - 1e-6);
    expect(second.heldMs).toBeGreaterThan(0);
    expect(second.heldMs).toBeLessThanOrEqual(second.lateMs);
    expect(r.callbacks[0]!.attempts[0]!.heldMs).toBe(0);
  });
});

describe("stopping", () => {
  it("an abort during a long wait ends the run with the attempts so far", async () => {
    const s = await target(status(503));
    const ac = new AbortController();
    // Were the 60 s wait not interrupted, the test would time out.
    const r = await run(s.url, { clock: systemClock, schedule: custom("10ms,60s"), signal: ac.signal, onAttempt: (a) => a.attempt === 2 && ac.abort() });
    expect(r.interrupted).toBe(true);
    expect(r.callbacks[0]!.attempts).toHaveLength(2);
    expect(r.callbacks[0]!.attempts[1]!.decision).toMatchObject({ kind: "retry", next: { attempt: 3 } });
    expect(r.callbacks[0]!.outcome).toMatchObject({ kind: "interrupted", attempts: 2, offsetMs: 10 });
  });

  it("an abort while a request hangs gives up on it: recorded without an answer", async () => {
    const s = await target([{ kind: "hang" }]);
    const ac = new AbortController();
    void s.waitFor(1).then(() => ac.abort());
    const r = await run(s.url, { timeoutMs: 60_000, signal: ac.signal, count: 2 });
    expect(r.interrupted).toBe(true);
    for (const c of r.callbacks) {
      expect(c.attempts).toHaveLength(1);
      expect(c.attempts[0]).toMatchObject({ outcome: null, decision: null });
      expect(c.outcome).toMatchObject({ kind: "interrupted", attempts: 1 });
    }
  });

  it("a send that throws (not an answer of the endpoint) stops the run and rejects", async () => {
    const boom = new Error("no token");
    await expect(
      simulateRetries({ callbacks: ["a", "b"], schedule: retrySchedule("sinch"), clock: createVirtualClock(), send: () => Promise.reject(boom) }),
    ).rejects.toBe(boom);
  });
});
