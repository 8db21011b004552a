/** The pure parts of replay: flag parsing, planning, pacing and ordering, reports. */
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { classifyStatus } from "../../src/retry/policy.js";
import type { OutgoingCallback } from "../../src/send/inputs.js";
import { commentLine, headerEnvName, isSecretHeader, oauthTokenLine } from "../../src/replay/dry-run.js";
import { meetsExpectation, parseExpect, parseRate, replayConfigFromFlags } from "../../src/replay/options.js";
import { planRequests, replayableHeaders } from "../../src/replay/plan.js";
import { percentile, renderJunit, sinchAnnotation, summarize, xmlAttr, xmlText, type RequestResult } from "../../src/replay/report.js";
import { createPacer, runRequests } from "../../src/replay/run.js";
import { findAll, parseXml } from "./helpers.js";

describe("parseExpect", () => {
  it.each([
    ["2xx", [200, 204, 299], [199, 300, 500]],
    ["200,202", [200, 202], [201, 204]],
    ["2xx,404", [201, 404], [400, 500]],
    ["200-204", [200, 203, 204], [205]],
    [" 5XX ", [503], [200]],
  ] as const)("%s", (spec, yes, no) => {
    const e = parseExpect(spec);
    for (const s of yes) expect(meetsExpectation(s, e)).toBe(true);
    for (const s of no) expect(meetsExpectation(s, e)).toBe(false);
  });

  it.each(["", "2x", "6xx", "99", "1000", "204-200", "200-700", "ok", "200,"])("refuses %j", (spec) => {
    expect(() => parseExpect(spec)).toThrow(UsageError);
  });
});

describe("parseRate", () => {
  it.each([
    ["20", 20],
    ["20/s", 20],
    ["0.5/s", 0.5],
    ["600/m", 10],
    ["60/min", 1],
    ["5 / sec", 5],
  ])("%s → %d/s", (text, n) => {
    expect(parseRate(text)).toBeCloseTo(n);
  });

  it.each(["0", "-1", "fast", "10/h", "1e3"])("refuses %j", (text) => {
    expect(() => parseRate(text)).toThrow(UsageError);
  });
});

describe("replayConfigFromFlags", () => {
  const env = {};
  it("defaults: concurrency 1, repeat 1, 10 s timeout, no auth", () => {
    const cfg = replayConfigFromFlags({ to: "http://127.0.0.1:3000/sinch" }, env);
    expect(cfg).toMatchObject({ concurrency: 1, repeat: 1, timeoutMs: 10_000, dryRun: false, json: false, appendPath: false });
    expect(cfg.auth).toMatchObject({ hmacSecret: undefined, basic: undefined, oauth: undefined, headers: {} });
  });

  it("reads secrets from the environment; an empty variable is unset", () => {
    const cfg = replayConfigFromFlags(
      { to: "http://h/" },
      { SINCH_HOOKS_HMAC_SECRET: "s", SINCH_HOOKS_BASIC_AUTH: "u:p:with:colons", SINCH_HOOKS_OAUTH_CREDENTIALS: "" },
    );
    expect(cfg.auth.hmacSecret).toBe("s");
    expect(cfg.auth.basic).toEqual({ user: "u", password: "p:with:colons" });
    expect(cfg.basicFromEnv).toBe(true);
    expect(replayConfigFromFlags({ to: "http://h/" }, { SINCH_HOOKS_HMAC_SECRET: "" }).auth.hmacSecret).toBeUndefined();
  });

  it.each([
    [{ timestamp: "1736760161000x", hmacSecret: "s" }, "--timestamp must be Unix epoch seconds"],
    [{ nonce: "has space", hmacSecret: "s" }, "--nonce must be non-empty visible ASCII"],
    [{ timestamp: "1" }, "--timestamp only applies to HMAC"],
    [{ oauthCredentials: "a:b" }, "--oauth-credentials needs --oauth-token-url"],
    [{ oauthTokenUrl: "nope", oauthCredentials: "a:b" }, "--oauth-token-url must be a full URL"],
    [{ header: ["authorization: x"], basicAuth: "a:b" }, "clashes with --basic-auth"],
    [{ header: ["x-sinch-webhook-signature: x"], hmacSecret: "s" }, "clashes with --hmac-secret"],
    [{ header: ["Host: x"] }, "--header host cannot be set"],
    [{ concurrency: "1001" }, "--concurrency must be at most 1000"],
    [{ repeat: "0" }, "--repeat must be a whole number >= 1"],
    [{ timeout: "0" }, "--timeout must be at least 1ms"],
    [{ basicAuth: "nopassword" }, "--basic-auth must be user:password"],
  ])("%j → %s", (flags, message) => {
    expect(() => replayConfigFromFlags({ to: "http://h/", ...flags }, env)).toThrow(message);
  });
});

function callback(name: string, path?: string, headers: Record<string, string> = {}): OutgoingCallback {
  return { name, body: Buffer.from(`{"n":"${name}"}`), type: "mo_text", headers, source: path ? "recording" : "payload", path };
}

describe("planRequests", () => {
  it("the whole set per round, in order, numbered, with #round labels only when repeating", () => {
    const cbs = [callback("a"), callback("b")];
    const plan = planRequests(cbs, { target: new URL("http://h/app"), repeat: 2, appendPath: false });
    expect(plan.requests.map((r) => [r.seq, r.round, r.label, r.path])).toEqual([
      [1, 1, "a #1", "/app"],
      [2, 1, "b #1", "/app"],
      [3, 2, "a #2", "/app"],
      [4, 2, "b #2", "/app"],
    ]);
    expect(planRequests(cbs, { target: new URL("http://h/app"), repeat: 1, appendPath: false }).requests.map((r) => r.label)).toEqual(["a", "b"]);
  });

  it("recorded paths: used when --to has no path, appended with appendPath, ignored otherwise", () => {
    const cbs = [callback("r", "/sinch"), callback("p")];
    expect(planRequests(cbs, { target: new URL("http://h"), repeat: 1, appendPath: false }).requests.map((r) => r.path)).toEqual(["/sinch", "/"]);
    expect(planRequests(cbs, { target: new URL("http://h/app"), repeat: 1, appendPath: true }).requests.map((r) => r.path)).toEqual(["/app/sinch", "/app"]);
    const kept = planRequests(cbs, { target: new URL("http://h/app"), repeat: 1, appendPath: false });
    expect(kept.requests.map((r) => r.path)).toEqual(["/app", "/app"]);
    expect(kept.usesRecordedPaths).toBe(false);
  });

  it("drops hop-by-hop and expect headers from recordings", () => {
    expect(replayableHeaders({ "Content-Type": "application/json", expect: "100-continue", upgrade: "h2c", "keep-alive": "5", te: "trailers", "x-a": "b" })).toEqual({ "content-type": "application/json", "x-a": "b" });
  });
});

describe("createPacer / runRequests", () => {
  it("starts are at least 1/rate apart, and a late start is not made up for with a burst", async () => {
    const pacer = createPacer(100); // 10 ms slots
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) await pacer.acquire();
    // Lower bounds only: four 10 ms gaps (timers never fire early; they may fire late).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(39);
    await new Promise((r) => setTimeout(r, 50)); // a slow answer: five slots' worth of time passes idle
    const t1 = performance.now();
    await pacer.acquire(); // its slot is already due
    await pacer.acquire(); // …but this one still waits a full interval: no catch-up burst
    expect(performance.now() - t1).toBeGreaterThanOrEqual(9);
  });

  it("acquire returns false once the signal is aborted", async () => {
    const pacer = createPacer(0.001);
    const controller = new AbortController();
    expect(await pacer.acquire(controller.signal)).toBe(true);
    const waiting = pacer.acquire(controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
  });

  it("starts follow index order at any concurrency; completions may not", async () => {
    const starts: number[] = [];
    const done: number[] = [];
    const summary = await runRequests({
      total: 20,
      concurrency: 5,
      send: async (i) => {
        starts.push(i);
        await new Promise((r) => setTimeout(r, (20 - i) % 4));
        return i;
      },
      onResult: (i) => done.push(i),
    });
    expect(starts).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(done.toSorted((a, b) => a - b)).toEqual(starts);
    expect(summary.started).toBe(20);
  });

  it("never more than `concurrency` in flight", async () => {
    let inFlight = 0;
    let most = 0;
    await runRequests({
      total: 30,
      concurrency: 3,
      send: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
      },
      onResult: () => {},
    });
    expect(most).toBe(3);
  });

  it("a send that throws stops the run and the error comes out after the others finish", async () => {
    let finished = 0;
    const run = runRequests({
      total: 100,
      concurrency: 4,
      send: async (i) => {
        await new Promise((r) => setImmediate(r));
        if (i === 5) throw new Error("token endpoint down");
        finished++;
      },
      onResult: () => {},
    });
    await expect(run).rejects.toThrow("token endpoint down");
    expect(finished).toBeLessThan(20);
  });
});

function result(seq: number, extra: Partial<RequestResult>): RequestResult {
  const status = extra.status;
  return {
    seq,
    label: `f${seq}`,
    name: `f${seq}`,
    round: 1,
    type: "mo_text",
    valid: true,
    path: "/",
    startedAt: Date.UTC(2026, 10, 27),
    latencyMs: seq,
    expected: null,
    sinch: sinchAnnotation(status, extra.error?.kind),
    ...extra,
  };
}

describe("reports", () => {
  it("percentile is nearest-rank", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 95), percentile(xs, 100)]).toEqual([50, 95, 100]);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it("sinchAnnotation uses listen's wording, and labels no-answer as an assumption", () => {
    expect(sinchAnnotation(200).text).toBe("→ delivered");
    expect(sinchAnnotation(503).text).toBe("→ Sinch retries in 5 s (retry 1 of 15)");
    expect(sinchAnnotation(404).text).toBe("→ dropped for good (a 4xx other than 429 is final for Sinch)");
    expect(sinchAnnotation(302).outcome).toEqual(classifyStatus(302));
    const refused = sinchAnnotation(undefined, "refused");
    expect(refused.outcome).toMatchObject({ class: "retry", assumption: true });
    expect(refused.text).toContain("assumption: Sinch does not document connection refused");
  });

  it("summarize counts statuses, failures and what was not sent", () => {
    const s = summarize(
      [
        result(1, { status: 200, expected: true }),
        result(2, { status: 500, expected: false }),
        result(3, { error: { kind: "timeout", message: "no answer within the timeout" } }),
        result(4, { aborted: true }),
        undefined,
      ],
      { target: "http://h/", expect: "2xx", durationMs: 1000, concurrency: 2, interrupted: true },
    );
    expect(s).toMatchObject({ planned: 5, sent: 4, answered: 2, noAnswer: 1, notSent: 2, statuses: { "200": 1, "500": 1 }, noAnswerByReason: { timeout: 1 }, met: 1, missed: 1 });
    expect(s.latency).toEqual({ p50: 1, p95: 2, max: 2 });
    expect(s.failures.map((f) => f.reason)).toEqual(["got 500, expected 2xx", "no answer: no answer within the timeout"]);
  });

  it("xmlText/xmlAttr escape markup and replace what XML cannot hold", () => {
    expect(xmlText(`a<b>&c`)).toBe("a&lt;b&gt;&amp;c");
    expect(xmlAttr(`"'\n\t`)).toBe("&quot;&apos;&#10;&#9;");
    expect(xmlText("\u0000\u0008\uFFFE\uD800x")).toBe("\uFFFD\uFFFD\uFFFD\uFFFDx");
    expect(xmlText("👋")).toBe("👋");
  });

  it("renderJunit parses back with hostile names intact", () => {
    const results = [
      result(1, { status: 200, expected: true, label: `a&b <c> "d" 'e'` }),
      result(2, { status: 500, expected: false, responseExcerpt: "]]> <x/> &" }),
      result(3, { error: { kind: "refused", message: "connection refused" } }),
      undefined,
    ];
    const summary = summarize(results, { target: "http://h/?…", expect: "2xx", durationMs: 5, concurrency: 1, interrupted: true });
    const cases = results.map((r, i) => ({ seq: i + 1, label: r?.label ?? "f4", type: "mo_text", result: r }));
    const root = parseXml(renderJunit(cases, summary, { startedAt: Date.UTC(2026, 10, 27), expectText: "2xx" }));
    expect(root.attrs).toMatchObject({ tests: "4", failures: "1", errors: "1", skipped: "1" });
    const tcs = findAll(root, "testcase");
    expect(tcs[0]!.attrs.name).toBe(`#1 a&b <c> "d" 'e'`);
    expect(findAll(tcs[1]!, "failure")[0]!.text).toContain("response: ]]> <x/> &");
    expect(findAll(tcs[2]!, "error")[0]!.attrs.type).toBe("refused");
    expect(findAll(tcs[3]!, "skipped")[0]!.attrs.message).toBe("not sent: interrupted");
    expect(findAll(root, "testsuite")[0]!.attrs.timestamp).toBe("2026-11-27T00:00:00.000Z");
  });

  it("the test XML reader itself rejects malformed documents", () => {
    expect(() => parseXml("<a><b></a>")).toThrow();
    expect(() => parseXml("<a>x & y</a>")).toThrow();
    expect(() => parseXml("<a b=c/>")).toThrow();
    expect(() => parseXml("<a>")).toThrow();
  });
});

describe("dry-run helpers", () => {
  it.each([
    ["x-api-key", true],
    ["authorization", true],
    ["x-auth-token", true],
    ["cookie", true],
    ["x-client-secret", true],
    ["x-env", false],
    ["content-type", false],
    ["user-agent", false],
  ])("isSecretHeader(%s) = %s", (name, secret) => {
    expect(isSecretHeader(name)).toBe(secret);
  });

  it("env names, comments and the OAuth line", () => {
    expect(headerEnvName("x-api-key")).toBe("SINCH_HOOKS_HEADER_X_API_KEY");
    expect(commentLine({ seq: 1, label: "evil\nrm -rf ~", type: null })).toBe("# 1 evil?rm -rf ~ (no type)");
    const line = oauthTokenLine("http://127.0.0.1:9/oauth/token?x='y'");
    expect(line.startsWith(`SINCH_HOOKS_OAUTH_TOKEN="\${SINCH_HOOKS_OAUTH_TOKEN:-$(curl -sS -u "$SINCH_HOOKS_OAUTH_CREDENTIALS"`)).toBe(true);
    expect(line).toContain(`'http://127.0.0.1:9/oauth/token?x='\\''y'\\'''`);
  });
});
