/**
 * `sinch-hooks simulate-retries` end to end through main(): real target servers on 127.0.0.1, the
 * real HTTP client, the real listener as an endpoint that verifies signatures and serves OAuth tokens.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { listen, type Listener, type ListenEvent } from "../../src/listen/index.js";
import { parseRespondSpec } from "../../src/listen/respond.js";
import { HMAC_HEADERS, verifyHmac } from "../../src/sign/hmac.js";
import { bufferWriter, fakeIo, type FakeIo } from "../helpers/fake-io.js";
import { TargetServer, closedPort, type Behaviour } from "../helpers/target-server.js";
import { findAll, parseXml } from "./xml.js";

const servers: TargetServer[] = [];
const listeners: Listener[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await Promise.all(listeners.splice(0).map((l) => l.close(1_000)));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function target(script: Behaviour[]): Promise<TargetServer> {
  const s = await new TargetServer(script).start();
  servers.push(s);
  return s;
}
const status = (...codes: number[]): Behaviour[] => codes.map((c) => ({ kind: "status", status: c }));

async function sim(args: string[], opts: { io?: FakeIo; signal?: AbortSignal } = {}): Promise<{ code: number; out: string; err: string; io: FakeIo }> {
  const io = opts.io ?? fakeIo({ now: Date.now });
  const code = await main(["simulate-retries", ...args], { io, signal: opts.signal ?? new AbortController().signal });
  return { code, out: io.stdout.text(), err: io.stderr.text(), io };
}

async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "sinch-hooks-sim-"));
  dirs.push(d);
  return d;
}

const MO = (id: string): string => JSON.stringify({ type: "mo_text", id, from: "+15550100001", to: "+15550100002", body: "hi 👋", received_at: "2026-11-27T12:00:00Z" });

describe("done when (issue 5)", () => {
  it("`simulate-retries --to URL` against an always-500 endpoint: the bundled sample, 16 attempts ending at T+22h45m20s", async () => {
    const s = await target(status(500));
    const { code, out, err } = await sim(["--to", `${s.url}/sinch`]);
    expect(code).toBe(0);
    expect(err).toBe("");
    expect(s.received).toHaveLength(16);
    expect(s.received.every((r) => r.url === "/sinch" && JSON.parse(r.body.toString()).type === "mo_text")).toBe(true);
    expect(out).toContain("no file given, sending the bundled mo_text sample");
    expect(out).toMatch(/^ {8}1 {2}T\+00:00:00 {3}500 /m);
    expect(out).toMatch(/^ {7}16 {2}T\+22:45:20 {3}500 .*→ Sinch gives up: that was its last retry \(15 of 15\)$/m);
    expect(out).toContain("→ Sinch retries in 5 min 20 s (retry 8 of 15)");
    expect(out).toContain("✗ exhausted after 16 attempts (T+22h45m20s)");
    expect(out).toMatch(/1 callback · 16 attempts · 1 exhausted · virtual clock/);
    expect(out.includes("\u001b[")).toBe(false);
  });

  it("503 twice then 200: delivered on attempt 3", async () => {
    const s = await target(status(503, 503, 200));
    const { code, out } = await sim(["--to", s.url]);
    expect(code).toBe(0);
    expect(out).toContain("✓ delivered on attempt 3 at T+10s");
    expect(s.received).toHaveLength(3);
  });
});

describe("schedules", () => {
  it("--print-schedule for each profile, a custom list and --max-retries; no target needed", async () => {
    const sinch = await sim(["--print-schedule"]);
    expect(sinch.code).toBe(0);
    expect(sinch.out).toContain("       16  T+22:45:20   11 h 22 min 40 s");
    const gaps = await sim(["--print-schedule", "--schedule", "doubling-gaps"]);
    expect(gaps.out).toContain("       16  T+45:30:35   22 h 45 min 20 s");
    const custom = await sim(["--print-schedule", "--schedule", "5s,10s,1m", "--max-retries", "2"]);
    expect(custom.out).toContain("        3  T+00:00:15   10 s");
    expect(custom.out).not.toContain("T+00:01:15");
    expect(custom.out).toContain("(capped by --max-retries 2)");
    const json = await sim(["--print-schedule", "--json", "--max-retries", "3"]);
    expect(json.out.trim().split("\n").map((l) => JSON.parse(l) as { offset_ms: number; gap_ms: number })).toEqual([
      expect.objectContaining({ attempt: 1, offset_ms: 0, gap_ms: 0 }),
      expect.objectContaining({ attempt: 2, offset_ms: 5_000, gap_ms: 5_000 }),
      expect.objectContaining({ attempt: 3, offset_ms: 10_000, gap_ms: 5_000 }),
      expect.objectContaining({ attempt: 4, offset_ms: 20_000, gap_ms: 10_000 }),
    ]);
  });

  it("doubling-gaps against a failing endpoint ends at T+45h30m35s; a custom schedule with --max-retries", async () => {
    const s = await target(status(500));
    const gaps = await sim(["--to", s.url, "--schedule", "doubling-gaps"]);
    expect(gaps.out).toContain("exhausted after 16 attempts (T+45h30m35s)");
    const custom = await sim(["--to", s.url, "--schedule", "5s,10s,1m", "--max-retries", "1"]);
    expect(custom.out).toContain("exhausted after 2 attempts (T+5s)");
    expect(s.received).toHaveLength(18);
  });
});

describe("expectations and exit codes", () => {
  it.each<[string, Behaviour[], string[], number]>([
    ["delivered as expected → 0", status(503, 200), ["--expect", "delivered", "--expect-attempts", "2"], 0],
    ["wrong attempt count → 1", status(503, 200), ["--expect", "delivered", "--expect-attempts", "3"], 1],
    ["exhausted, expected delivered → 1", status(500), ["--expect", "delivered"], 1],
    ["exhausted as expected → 0", status(500), ["--expect", "exhausted", "--expect-attempts", "16"], 0],
    ["dropped at once → 0", status(400), ["--expect", "dropped", "--expect-attempts", "1"], 0],
    ["dropped, expected delivered → 1", status(404), ["--expect", "delivered"], 1],
  ])("%s", async (_, script, args, expected) => {
    const s = await target(script);
    const { code, out } = await sim(["--to", s.url, ...args]);
    expect(code).toBe(expected);
    expect(out).toMatch(expected === 0 ? /✓ every callback met --expect/ : /✗ 1 of 1 callback missed --expect/);
  });

  it("a closed port: every attempt refused, labelled as an assumption; exit 3 unless exhaustion was expected", async () => {
    const port = await closedPort();
    const bare = await sim(["--to", `http://127.0.0.1:${port}/x`, "--schedule", "5s,10s"]);
    expect(bare.code).toBe(3);
    expect(bare.out).toContain("assumption: Sinch does not document connection refused; retried like a 5xx");
    expect(bare.out).toContain("exhausted after 3 attempts (T+15s)");
    expect(bare.err).toMatch(/^✗ the target never answered: every attempt to http:\/\/127\.0\.0\.1:\d+\/x failed to connect\n {2}→ check --to/);
    expect(bare.err).not.toMatch(/\n\s+at /);
    const expected = await sim(["--to", `http://127.0.0.1:${port}/x`, "--schedule", "5s,10s", "--expect", "exhausted"]);
    expect(expected.code).toBe(0);
  });

  it("slower than --timeout: retried, labelled as an assumption", async () => {
    const s = await target([{ kind: "delay", ms: 1_500, status: 200 }, ...status(200)]);
    const { code, out } = await sim(["--to", s.url, "--timeout", "100ms"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^ {8}1 {2}T\+00:00:00 {3}timeout .*→ Sinch retries in 5 s \(retry 1 of 15\) · assumption: Sinch does not document timeout; retried like a 5xx$/m);
    expect(out).toContain("delivered on attempt 2 at T+5s");
    expect(out).toContain("100 ms per attempt");
  });

  it.each<[string[], RegExp]>([
    [["--to", "http://127.0.0.1:9", "--schedule", "5,10"], /^✗ --schedule gaps need a unit: "5" could be ms or s\n/],
    [["--to", "http://127.0.0.1:9", "--clock", "warp"], /^✗ --clock must be virtual, real or scaled:N/],
    [["--to", "http://127.0.0.1:9", "--reuse-signature"], /^✗ --reuse-signature needs --hmac-secret/],
    [["--to", "http://127.0.0.1:9", "--header", "bad"], /^✗ --header must look like "Name: value"/],
    [[], /^✗ missing --to: where should the callbacks go\?/],
    [["--to", "http://127.0.0.1:9", "/nope/missing.json"], /^✗ file not found: \/nope\/missing\.json/],
    [["--to", "http://127.0.0.1:9", "--bogus"], /^✗ unknown option '--bogus'/],
  ])("usage and input errors are one line and exit 2: %j", async (args, message) => {
    const { code, err, out } = await sim(args);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /);
    expect(out).toBe("");
  });

  it("--help lists the flags, examples and exit codes", async () => {
    const { code, out } = await sim(["--help"]);
    expect(code).toBe(0);
    expect(out).toContain("--reuse-signature");
    expect(out).toContain("--clock <clock>");
    expect(out).toMatch(/Exit codes: 0 done/);
  });

  it("bad input files are refused before anything is sent; --count needs exactly one callback", async () => {
    const s = await target(status(200));
    const d = await tmp();
    await writeFile(join(d, "bad.json"), '{"type": "mo_text",');
    const bad = await sim(["--to", s.url, join(d, "bad.json")]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^✗ .*bad\.json:1:\d+: /);
    await writeFile(join(d, "two.ndjson"), `${MO("01JFAKEMSG0000000000000001")}\n${MO("01JFAKEMSG0000000000000002")}\n`);
    const two = await sim(["--to", s.url, "--count", "3", join(d, "two.ndjson")]);
    expect(two.code).toBe(2);
    expect(two.err).toContain("--count makes copies of one callback, but the inputs hold 2");
    expect(s.received).toHaveLength(0);
  });
});

describe("inputs", () => {
  it("an invalid payload is refused before anything is sent, unless --allow-invalid", async () => {
    const s = await target(status(200));
    const d = await tmp();
    await writeFile(join(d, "invalid.json"), JSON.stringify({ type: "mo_text", id: "01JFAKEMSG0000000000000001" }));
    const refused = await sim(["--to", s.url, join(d, "invalid.json")]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^✗ 1 payload is invalid, nothing was sent/);
    expect(s.received).toHaveLength(0);
    const allowed = await sim(["--to", s.url, "--allow-invalid", join(d, "invalid.json")]);
    expect(allowed.code).toBe(0);
    expect(s.received).toHaveLength(1);
  });

  it("--set applies to every copy, after --fresh", async () => {
    const s = await target(status(200));
    const { code } = await sim(["--to", s.url, "--count", "3", "--fresh", "--set", "body=changed", "--set", "to=+15550109999"]);
    expect(code).toBe(0);
    const bodies = s.received.map((r) => JSON.parse(r.body.toString()) as { id: string; body: string; to: string });
    expect(bodies.map((b) => [b.body, b.to])).toEqual(Array.from({ length: 3 }, () => ["changed", "+15550109999"]));
    expect(new Set(bodies.map((b) => b.id)).size).toBe(3);
  });
});

describe("signatures and authentication", () => {
  const SECRET = "sim-secret-fake-123";

  it("signs every attempt afresh: different nonces, each one verifying over the exact bytes", async () => {
    const s = await target(status(503, 503, 200));
    const { code, out, err } = await sim(["--to", s.url, "--hmac-secret", SECRET]);
    expect(code).toBe(0);
    const nonces = s.received.map((r) => r.headers[HMAC_HEADERS.nonce]);
    expect(new Set(nonces).size).toBe(3);
    for (const r of s.received) {
      const v = verifyHmac({ secret: SECRET, body: r.body, headers: r.headers, nowMs: Date.now() });
      expect(v.problems).toEqual([]);
    }
    expect(out).toContain("signed afresh for every attempt");
    expect(out + err).not.toContain(SECRET);
  });

  it("--reuse-signature: the first attempt's signature headers on every attempt", async () => {
    const s = await target(status(503, 503, 200));
    const { code, out } = await sim(["--to", s.url, "--hmac-secret", SECRET, "--reuse-signature"]);
    expect(code).toBe(0);
    const sig = (i: number) => Object.fromEntries(Object.values(HMAC_HEADERS).map((h) => [h, s.received[i]!.headers[h]]));
    expect(sig(1)).toEqual(sig(0));
    expect(sig(2)).toEqual(sig(0));
    expect(verifyHmac({ secret: SECRET, body: s.received[2]!.body, headers: s.received[2]!.headers, nowMs: Date.now() }).signatureValid).toBe(true);
    expect(out).toContain("same signature as attempt 1, 10 s old on Sinch's timeline");
  });

  it("against the real listener with --strict-signatures: fresh signatures get through, a repeated one is refused for good", async () => {
    const events: ListenEvent[] = [];
    const l = await listen(
      { host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, forwardTimeoutMs: 2_000, redact: false, oauthTokenTtlSeconds: 3600, strictSchema: false, hmac: { secret: SECRET, toleranceSeconds: 300, strict: true }, respond: parseRespondSpec("503,200") },
      (e) => events.push(e),
    );
    listeners.push(l);
    const fresh = await sim(["--to", `${l.url}/sinch`, "--hmac-secret", SECRET, "--fresh", "--expect", "delivered"]);
    expect(fresh.code).toBe(0);
    const reused = await sim(["--to", `${l.url}/sinch`, "--hmac-secret", SECRET, "--fresh", "--reuse-signature", "--expect", "delivered"]);
    expect(reused.code).toBe(1);
    expect(reused.out).toMatch(/^ {8}2 {2}T\+00:00:05 {3}401 .*dropped for good.*your endpoint refused a repeated signature/m);
    expect(reused.out).toContain("✗ dropped on attempt 2 (401)");
  });

  it("OAuth: a client-credentials token from the listener's token endpoint, sent as Bearer; Basic and custom headers", async () => {
    const l = await listen(
      { host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, forwardTimeoutMs: 2_000, redact: false, oauthTokenTtlSeconds: 3600, strictSchema: false, oauth: { clientId: "sinch-client", clientSecret: "oauth-secret-fake" } },
      () => {},
    );
    listeners.push(l);
    const ok = await sim(["--to", `${l.url}/sinch`, "--oauth-token-url", `${l.url}/oauth/token`, "--oauth-credentials", "sinch-client:oauth-secret-fake", "--expect", "delivered", "--expect-attempts", "1"]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("OAuth bearer (client sinch-client)");
    expect(ok.out).not.toContain("oauth-secret-fake");
    const badToken = await sim(["--to", `${l.url}/sinch`, "--oauth-token-url", `${l.url}/oauth/token`, "--oauth-credentials", "sinch-client:wrong"]);
    expect(badToken.code).toBe(3);
    expect(badToken.err).toMatch(/^✗ /);
    expect(badToken.err).not.toContain("wrong");

    const s = await target(status(200));
    const basic = await sim(["--to", s.url, "--basic-auth", "sinch:basic-pass-fake", "-H", "X-Env: staging"]);
    expect(basic.code).toBe(0);
    expect(s.received[0]!.headers.authorization).toBe(`Basic ${Buffer.from("sinch:basic-pass-fake").toString("base64")}`);
    expect(s.received[0]!.headers["x-env"]).toBe("staging");
    expect(basic.out).not.toContain("basic-pass-fake");
  });
});

describe("machine-readable reports", () => {
  it("--json: one object per attempt, one per callback, then a summary", async () => {
    const s = await target(status(503, 200));
    const { code, out } = await sim(["--to", s.url, "--json"]);
    expect(code).toBe(0);
    const lines = out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.event)).toEqual(["attempt", "attempt", "callback", "summary"]);
    expect(lines[0]).toMatchObject({ attempt: 1, offset_ms: 0, offset: "T+00:00:00", status: 503, class: "retry", decision: "retry", next_in_ms: 5_000, assumption: false });
    expect(lines[1]).toMatchObject({ attempt: 2, offset_ms: 5_000, status: 200, decision: "delivered", next_in_ms: null });
    expect(lines[2]).toMatchObject({ outcome: "delivered", attempts: 2, offset_ms: 5_000, text: "delivered on attempt 2 at T+5s", type: "mo_text" });
    expect(lines[3]).toMatchObject({ schedule: "sinch", clock: "virtual", timeout_ms: 10_000, callbacks: 1, attempts: 2, delivered: 1, exit_code: 0 });
  });

  it("--junit: a testcase per callback with its timeline; failures for missed expectations", async () => {
    const s = await target(status(500));
    const d = await tmp();
    await writeFile(join(d, "a.json"), MO("01JFAKEMSG0000000000000001"));
    await writeFile(join(d, "b & <c>.json"), MO("01JFAKEMSG0000000000000002"));
    const file = join(d, "report.xml");
    const { code } = await sim(["--to", s.url, "--max-retries", "2", "--expect", "delivered", "--junit", file, join(d, "a.json"), join(d, "b & <c>.json")]);
    expect(code).toBe(1);
    const root = parseXml(await readFile(file, "utf8"));
    const cases = findAll(root, "testcase");
    expect(cases.map((c) => c.attrs.name)).toEqual([join(d, "a.json"), join(d, "b & <c>.json")]);
    const failure = findAll(cases[1]!, "failure")[0]!;
    expect(failure.attrs.message).toBe("expected delivered, got exhausted: exhausted after 3 attempts (T+10s)");
    const timeline = findAll(cases[0]!, "system-out")[0]!.text;
    expect(timeline).toMatch(/^ {8}3 {2}T\+00:00:10 {3}500 /m);
    expect(timeline).toContain("✗ exhausted after 3 attempts (T+10s) — MISSED: expected delivered, got exhausted");
    expect(findAll(root, "testsuite")[0]!.attrs).toMatchObject({ tests: "2", failures: "2" });
  });

  it("--junit to a path that cannot be written is one clear line", async () => {
    const s = await target(status(200));
    const { code, err } = await sim(["--to", s.url, "--junit", "/nonexistent-dir/x/report.xml"]);
    expect(code).toBe(2);
    expect(err).toMatch(/^✗ cannot write --junit \/nonexistent-dir\/x\/report\.xml: ENOENT/);
  });
});

describe("load: --count, --rate", () => {
  it("--count 20 --fresh: 20 callbacks with distinct ids, each through its own schedule, grouped in the report", async () => {
    const s = await target(status(503, 200));
    const { code, out } = await sim(["--to", s.url, "--count", "20", "--fresh", "--expect", "delivered"]);
    expect(code).toBe(0);
    const firsts = s.received.slice(0, 20).map((r) => (JSON.parse(r.body.toString()) as { id: string }).id);
    expect(new Set(firsts).size).toBe(20);
    expect(s.received).toHaveLength(21); // the first answer was 503, then the script repeats 200
    expect(out).toContain("20 callbacks, grouped by outcome");
    expect(out).toMatch(/ {5}19 × delivered on attempt 1 at T\+0s/);
    expect(out).toMatch(/ {6}1 × delivered on attempt 2 at T\+5s/);
  });

  it("--rate with a 429: the rate over time, labelled as a model", async () => {
    const s = await target(status(429, 200));
    const { code, out } = await sim(["--to", s.url, "--count", "3", "--rate", "10/s"]);
    expect(code).toBe(0);
    expect(out).toContain("429: rate 10/s → 5/s (model)");
    expect(out).toMatch(/Rate \(a model of Sinch's throttling, not its published algorithm/);
    expect(out).toMatch(/T\+00:00:00\.000 +5\/s {2}← 429/);
  });
});

describe("clocks and stopping", () => {
  it("real clock on a TTY: live progress with a countdown; Ctrl-C stops and still prints the report (exit 130)", async () => {
    const s = await target(status(503));
    const io = { ...fakeIo({ now: Date.now, env: { NO_COLOR: "1" } }), stdout: bufferWriter(true) };
    const ac = new AbortController();
    const running = sim(["--to", s.url, "--clock", "real", "--schedule", "50ms,1m"], { io, signal: ac.signal });
    await io.stdout.waitFor(/next attempt in \d+ s \(T\+00:01:00\)/);
    ac.abort();
    const { code, out } = await running;
    expect(code).toBe(130);
    expect(s.received).toHaveLength(2);
    expect(out).toContain("\r\u001b[2K");
    expect(out).toMatch(/2 attempts · 0 of 1 callback done/);
    expect(out).toContain("! interrupted after 2 attempts (T+50ms), before Sinch's outcome was known");
    expect(out).toContain("stopped by Ctrl-C");
  });

  it("scaled clock: Sinch's offsets, lateness in real time; no progress line without a TTY", async () => {
    const s = await target(status(500));
    const { code, out } = await sim(["--to", s.url, "--clock", "scaled:1000", "--schedule", "5s,10s"]);
    expect(code).toBe(0);
    expect(out).toMatch(/^ {8}3 {2}T\+00:00:15 {3}500 /m);
    expect(out).toContain("exhausted after 3 attempts (T+15s)");
    expect(out).toMatch(/attempts fired late against their schedule by p50 [\d.]+ ms, max [\d.]+ ms \(real time\)/);
    expect(out).not.toContain("⏳");
  });

  it("virtual clock on a TTY shows no progress line (nothing to wait for)", async () => {
    const s = await target(status(200));
    const io = { ...fakeIo({ now: Date.now }), stdout: bufferWriter(true) };
    const { out } = await sim(["--to", s.url], { io });
    expect(out).not.toContain("⏳");
  });

  it("already stopped before the first attempt: nothing sent, the report says so", async () => {
    const s = await target(status(200));
    const { code, out } = await sim(["--to", s.url], { signal: AbortSignal.abort() });
    expect(code).toBe(130);
    expect(s.received).toHaveLength(0);
    expect(out).toContain("interrupted before the first attempt");
  });
});
