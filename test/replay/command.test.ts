/**
 * `sinch-hooks replay` end to end, through main(): real target servers on 127.0.0.1, real requests,
 * assertions on what the target actually received.
 */
import { readFile } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { basicAuthorization } from "../../src/sign/basic.js";
import { checkBearer } from "../../src/sign/oauth.js";
import { createNonceCache, signHmac, verifyHmac } from "../../src/sign/hmac.js";
import { RECORDING_FORMAT, RECORDING_VERSION } from "../../src/listen/recording.js";
import { TargetServer, closedPort } from "../helpers/target-server.js";
import { ArrivalServer, TokenServer, findAll, parseXml, replay, tempDir, type TempDir } from "./helpers.js";

// Official SMS vector, shared/reference/sinch-callbacks.md §4.3.
const SMS = {
  secret: "SMSWebhooksSecret",
  nonce: "01JHFFHWYY7HSS4FWTMDTQEK8V",
  timestamp: "1736760161",
  body: '{"at":"2025-01-13T09:22:40.914Z","batch_id":"01JHFFHQ0P99JPPNQPJDV7JTBP","client_reference":"a client reference","code":0,"operator_status_at":"2025-01-13T09:22:00Z","recipient":"33662162466","status":"Delivered","type":"recipient_delivery_report_sms"}',
  signature: "ZoHei66PPN/kZjw7hFVfGhJOnml3iGNCMWoyQVcE5o0=",
};

const SECRET = "replay-hmac-secret-xyz";
const BASIC = { user: "sinch-user", password: "basic-pa$$-w0rd" };
const OAUTH = { clientId: "sinch-client", clientSecret: "oauth-client-secret-q" };

let dir: TempDir;
let moText: string; // pretty-printed, as `fixtures` prints it
let recipientReport: string;
let deliveryReport: string;

beforeAll(async () => {
  dir = await tempDir();
  moText = await readFile("fixtures/mo_text.json", "utf8");
  recipientReport = await readFile("fixtures/recipient_delivery_report_sms.json", "utf8");
  deliveryReport = await readFile("fixtures/delivery_report_sms.json", "utf8");
});
afterAll(() => dir.remove());

const servers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
async function target(script?: ConstructorParameters<typeof TargetServer>[0]): Promise<TargetServer> {
  const t = await new TargetServer(script).start();
  servers.push(t);
  return t;
}

function recording(body: string | { base64: string }, extra: { path?: string; headers?: Record<string, string> } = {}): string {
  return JSON.stringify({
    _meta: { format: RECORDING_FORMAT, version: RECORDING_VERSION, tool: "sinch-hooks 0.1.0" },
    received_at: "2026-11-27T13:21:44.123Z",
    method: "POST",
    path: extra.path ?? "/sinch",
    headers: extra.headers ?? { "content-type": "application/json" },
    ...(typeof body === "string" ? { body } : { body_base64: body.base64 }),
    redacted: false,
    verdict: { type: "mo_text", valid: true, errors: [], warnings: [], auth: [], status: 200, attempt: 1 },
  });
}

function noStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
}

describe("what is sent", () => {
  it("a pretty-printed fixture goes out as compact JSON, with a line and a summary", async () => {
    const t = await target();
    const file = await dir.file("m.json", moText);
    const r = await replay([file, "--to", `${t.url}/sinch`]);
    expect(r.code).toBe(0);
    expect(t.received).toHaveLength(1);
    expect(t.received[0]!.url).toBe("/sinch");
    expect(t.received[0]!.method).toBe("POST");
    expect(t.received[0]!.headers["content-type"]).toBe("application/json");
    expect(t.received[0]!.body.toString("utf8")).toBe(JSON.stringify(JSON.parse(moText)));
    expect(r.out).toMatch(/✓ .*m\.json mo_text 200 [\d.]+ ms → delivered/);
    expect(r.out).toMatch(/1 request to http:\/\/127\.0\.0\.1:\d+\/sinch in/);
    expect(r.out).toMatch(/answers {3}200 ×1/);
    expect(r.out).toMatch(/latency {3}p50 [\d.]+ ms · p95 [\d.]+ ms · max [\d.]+ ms/);
  });

  it("a recording's raw body is sent byte-for-byte, to its recorded path when --to has none, with its replayable headers", async () => {
    const t = await target();
    // Odd spacing, escapes and key order: re-serialising would change every one of them.
    const raw = '{ "type":"mo_text","id":"01JFAKE0000000000000000001", "from":"+15550100001","to":"15550100099","body":"caf\\u00e9 👋","received_at":"2025-01-13T09:22:00Z" }';
    const file = await dir.file(
      "rec-raw.json",
      recording(raw, {
        path: "/hooks/sms",
        headers: { "content-type": "application/json; charset=utf-8", "x-custom": "kept", expect: "100-continue", "x-sinch-webhook-signature": "old", authorization: "Basic old" },
      }),
    );
    const r = await replay([file, "--to", t.url]);
    expect(r.code).toBe(0);
    const got = t.received[0]!;
    expect(got.body.equals(Buffer.from(raw, "utf8"))).toBe(true);
    expect(got.url).toBe("/hooks/sms");
    expect(got.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(got.headers["x-custom"]).toBe("kept");
    expect(got.headers.expect).toBeUndefined();
    expect(got.headers["x-sinch-webhook-signature"]).toBeUndefined();
    expect(got.headers.authorization).toBeUndefined();
  });

  it("--to with a path keeps it; --append-path appends the recorded path", async () => {
    const t = await target();
    const file = await dir.file("rec-path.json", recording(JSON.stringify(JSON.parse(moText)), { path: "/sms/inbound" }));
    expect((await replay([file, "--to", `${t.url}/app?x=1`])).code).toBe(0);
    expect((await replay([file, "--to", `${t.url}/app?x=1`, "--append-path"])).code).toBe(0);
    expect(t.received.map((x) => x.url)).toEqual(["/app?x=1", "/app/sms/inbound?x=1"]);
  });

  it("a recording whose body is not JSON (body_base64) is refused, and sent byte-exact with --allow-invalid", async () => {
    const t = await target();
    const bytes = Buffer.from([0x7b, 0xff, 0x00, 0xfe, 0x7d]);
    const file = await dir.file("rec-bin.json", recording({ base64: bytes.toString("base64") }));
    const refused = await replay([file, "--to", t.url]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("the recorded body is not JSON");
    expect(t.received).toHaveLength(0);
    const sent = await replay([file, "--to", t.url, "--allow-invalid"]);
    expect(sent.code).toBe(0);
    expect(t.received[0]!.body.equals(bytes)).toBe(true);
    expect(sent.out).toContain("(not JSON)");
  });

  it("reads an array file, NDJSON and stdin, in order", async () => {
    const t = await target();
    const a = JSON.parse(moText) as Record<string, unknown>;
    const arr = await dir.file("arr.json", JSON.stringify([{ ...a, id: "01JFAKE00000000000000000A1" }, { ...a, id: "01JFAKE00000000000000000A2" }], null, 2));
    const nd = await dir.file("events.ndjson", [{ ...a, id: "01JFAKE00000000000000000N1" }, { ...a, id: "01JFAKE00000000000000000N2" }].map((x) => JSON.stringify(x)).join("\n") + "\n");
    const r = await replay([arr, nd, "-", "--to", t.url], { stdin: JSON.stringify({ ...a, id: "01JFAKE00000000000000000S1" }) });
    expect(r.code).toBe(0);
    expect(t.received.map((x) => (JSON.parse(x.body.toString()) as { id: string }).id)).toEqual([
      "01JFAKE00000000000000000A1",
      "01JFAKE00000000000000000A2",
      "01JFAKE00000000000000000N1",
      "01JFAKE00000000000000000N2",
      "01JFAKE00000000000000000S1",
    ]);
    expect(r.out).toContain("arr.json[1]");
    expect(r.out).toContain("events.ndjson:2");
    expect(r.out).toContain("stdin");
  });

  it("--set overrides fields and --fresh gives new ids and times, per round with --repeat", async () => {
    const t = await target();
    const file = await dir.file("rdr.json", recipientReport);
    const original = JSON.parse(recipientReport) as { batch_id: string; at: string };
    const r = await replay([file, "--to", t.url, "--set", "status=Failed", "--set", "code=402", "--fresh", "--repeat", "3"]);
    expect(r.code).toBe(0);
    const got = t.received.map((x) => JSON.parse(x.body.toString()) as { status: string; code: unknown; batch_id: string; at: string });
    expect(got).toHaveLength(3);
    for (const p of got) {
      expect(p.status).toBe("Failed");
      expect(p.code).toBe(402); // a JSON value: a number, not "402"
      expect(p.batch_id).not.toBe(original.batch_id);
      expect(p.at).not.toBe(original.at);
    }
    expect(new Set(got.map((p) => p.batch_id)).size).toBe(3);
  });

  it("without --fresh, --repeat sends identical bodies (to test an endpoint's de-duplication)", async () => {
    const t = await target();
    const file = await dir.file("same.json", moText);
    expect((await replay([file, "--to", t.url, "--repeat", "3"])).code).toBe(0);
    expect(new Set(t.received.map((x) => x.body.toString())).size).toBe(1);
  });

  it("SINCH_HOOKS_TARGET stands in for --to; neither is a usage error", async () => {
    const t = await target();
    const file = await dir.file("env.json", moText);
    expect((await replay([file], { env: { SINCH_HOOKS_TARGET: `${t.url}/from-env` } })).code).toBe(0);
    expect(t.received[0]!.url).toBe("/from-env");
    const missing = await replay([file]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("missing --to");
  });
});

describe("authentication", () => {
  it("HMAC: every request verifies over the exact bytes received, each with a fresh nonce", async () => {
    const t = await target();
    const file = await dir.file("three.json", JSON.stringify([JSON.parse(moText), JSON.parse(recipientReport), JSON.parse(deliveryReport)]));
    const r = await replay([file, "--to", t.url, "--hmac-secret", SECRET, "--repeat", "2", "--concurrency", "3"]);
    expect(r.code).toBe(0);
    expect(t.received).toHaveLength(6);
    const nonceCache = createNonceCache();
    for (const req of t.received) {
      const v = verifyHmac({ secret: SECRET, body: req.body, headers: req.headers, nowMs: Date.now(), toleranceSeconds: 300, nonceCache });
      expect(v.problems).toEqual([]);
      expect(v.ok).toBe(true);
    }
    expect(new Set(t.received.map((x) => x.headers["x-sinch-webhook-signature-nonce"])).size).toBe(6);
    // A wrong secret does not verify: the check above could fail.
    expect(verifyHmac({ secret: "other", body: t.received[0]!.body, headers: t.received[0]!.headers, nowMs: Date.now() }).ok).toBe(false);
    expect(r.out + r.err).not.toContain(SECRET);
  });

  it("HMAC from SINCH_HOOKS_HMAC_SECRET, with a fixed --nonce and --timestamp, reproduces Sinch's official vector", async () => {
    const t = await target();
    const file = await dir.file("vector.json", SMS.body);
    const args = [file, "--to", t.url, "--nonce", SMS.nonce, "--timestamp", SMS.timestamp];
    expect((await replay(args, { env: { SINCH_HOOKS_HMAC_SECRET: SMS.secret } })).code).toBe(0);
    expect((await replay(args, { env: { SINCH_HOOKS_HMAC_SECRET: SMS.secret } })).code).toBe(0);
    for (const req of t.received) {
      expect(req.body.toString()).toBe(SMS.body);
      expect(req.headers["x-sinch-webhook-signature"]).toBe(SMS.signature);
      expect(req.headers["x-sinch-webhook-signature-nonce"]).toBe(SMS.nonce);
      expect(req.headers["x-sinch-webhook-signature-timestamp"]).toBe(SMS.timestamp);
      expect(req.headers["x-sinch-webhook-signature-algorithm"]).toBe("HmacSHA256");
    }
  });

  it("Basic from the flag or from SINCH_HOOKS_BASIC_AUTH; the password is never printed", async () => {
    const t = await target();
    const file = await dir.file("basic.json", moText);
    const a = await replay([file, "--to", t.url, "--basic-auth", `${BASIC.user}:${BASIC.password}`, "--json"]);
    const b = await replay([file, "--to", t.url], { env: { SINCH_HOOKS_BASIC_AUTH: `${BASIC.user}:${BASIC.password}` } });
    expect([a.code, b.code]).toEqual([0, 0]);
    for (const req of t.received) expect(req.headers.authorization).toBe(basicAuthorization(BASIC.user, BASIC.password));
    for (const run of [a, b]) {
      expect(run.out + run.err).not.toContain(BASIC.password);
      expect(run.out + run.err).not.toContain(basicAuthorization(BASIC.user, BASIC.password).slice(6));
    }
  });

  it("OAuth: one token from a real client-credentials endpoint, cached, sent as a Bearer the endpoint issued", async () => {
    const tokens = await new TokenServer(OAUTH).start();
    servers.push(tokens);
    const t = await target();
    const file = await dir.file("oauth.json", moText);
    const r = await replay([file, "--to", t.url, "--oauth-token-url", tokens.url, "--oauth-credentials", `${OAUTH.clientId}:${OAUTH.clientSecret}`, "--repeat", "5", "--concurrency", "2"]);
    expect(r.code).toBe(0);
    expect(tokens.requests).toBe(1);
    expect(t.received).toHaveLength(5);
    const auth = t.received.map((x) => x.headers.authorization);
    expect(new Set(auth).size).toBe(1);
    expect(checkBearer(auth[0], tokens.store, Date.now())).toEqual({ ok: true });
    const token = auth[0]!.slice("Bearer ".length);
    expect(r.out + r.err).not.toContain(token);
    expect(r.out + r.err).not.toContain(OAUTH.clientSecret);
    expect(r.err).toContain("OAuth bearer (client sinch-client)");
  });

  it("OAuth: a token endpoint that refuses or fails is one clear error, exit 3, and nothing is sent", async () => {
    const t = await target();
    const file = await dir.file("oauth-bad.json", moText);
    const refusing = await new TokenServer(OAUTH).start();
    const failing = await new TokenServer(OAUTH, { failWith: 503 }).start();
    servers.push(refusing, failing);
    const wrong = await replay([file, "--to", t.url, "--oauth-token-url", refusing.url, "--oauth-credentials", `${OAUTH.clientId}:wrong-secret-zz`]);
    expect(wrong.code).toBe(3);
    expect(wrong.err).toMatch(/✗ OAuth token URL http:\/\/127\.0\.0\.1:\d+\/oauth\/token answered HTTP 401 invalid_client/);
    expect(wrong.err).toContain("check the OAuth client id and secret");
    const down = await replay([file, "--to", t.url, "--oauth-token-url", failing.url, "--oauth-credentials", `${OAUTH.clientId}:${OAUTH.clientSecret}`]);
    expect(down.code).toBe(3);
    expect(down.err).toContain("answered HTTP 503");
    const closed = await replay([file, "--to", t.url, "--oauth-token-url", `http://127.0.0.1:${await closedPort()}/oauth/token`, "--oauth-credentials", `${OAUTH.clientId}:${OAUTH.clientSecret}`]);
    expect(closed.code).toBe(3);
    expect(closed.err).toContain("connection refused");
    expect(t.received).toHaveLength(0);
    for (const run of [wrong, down, closed]) {
      expect(run.out).toBe("");
      expect(run.err).not.toContain(OAUTH.clientSecret);
      noStack(run.err);
    }
  });

  it("--header adds headers (repeatable, -H too)", async () => {
    const t = await target();
    const file = await dir.file("hdr.json", moText);
    expect((await replay([file, "--to", t.url, "--header", "X-Env: staging", "-H", "X-Api-Key: key-123-secret"])).code).toBe(0);
    expect(t.received[0]!.headers["x-env"]).toBe("staging");
    expect(t.received[0]!.headers["x-api-key"]).toBe("key-123-secret");
  });
});

describe("sending", () => {
  it("concurrency 1 sends in order: a directory in name order, the set again per --repeat round", async () => {
    const t = await target();
    const sub = await tempDir();
    try {
      const base = JSON.parse(moText) as Record<string, unknown>;
      for (const n of ["c", "a", "e", "b", "d"]) await sub.file(`${n}.json`, JSON.stringify({ ...base, body: n }));
      await sub.file("ignored.txt", "not a fixture");
      expect((await replay([sub.path, "--to", t.url, "--repeat", "2"])).code).toBe(0);
    } finally {
      await sub.remove();
    }
    expect(t.received.map((x) => (JSON.parse(x.body.toString()) as { body: string }).body)).toEqual(["a", "b", "c", "d", "e", "a", "b", "c", "d", "e"]);
  });

  it("--repeat × concurrency sends exactly payloads × repeat requests, each payload exactly repeat times", async () => {
    const t = await target([{ kind: "delay", ms: 2, status: 200 }]);
    const file = await dir.file("count.json", JSON.stringify([JSON.parse(moText), JSON.parse(recipientReport), JSON.parse(deliveryReport)]));
    const r = await replay([file, "--to", t.url, "--repeat", "7", "--concurrency", "4", "--json"]);
    expect(r.code).toBe(0);
    expect(t.received).toHaveLength(21);
    const byType = new Map<string, number>();
    for (const x of t.received) {
      const type = (JSON.parse(x.body.toString()) as { type: string }).type;
      byType.set(type, (byType.get(type) ?? 0) + 1);
    }
    expect(Object.fromEntries(byType)).toEqual({ mo_text: 7, recipient_delivery_report_sms: 7, delivery_report_sms: 7 });
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l) as { event: string; seq?: number; sent?: number });
    expect(lines.filter((l) => l.event === "request").map((l) => l.seq).toSorted((a, b) => a! - b!)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(lines.at(-1)).toMatchObject({ event: "summary", planned: 21, sent: 21, answered: 21, concurrency: 4 });
  });

  it("--rate paces starts: 10 requests at 20/s span at least 400 ms, at concurrency 1 and 4", async () => {
    const t = await new ArrivalServer().start();
    servers.push(t);
    const file = await dir.file("rate.json", moText);
    for (const concurrency of ["1", "4"]) {
      t.arrivals.length = 0;
      expect((await replay([file, "--to", t.url, "--repeat", "10", "--rate", "20/s", "--concurrency", concurrency])).code).toBe(0);
      expect(t.arrivals).toHaveLength(10);
      // A lower bound on elapsed time (9 gaps of 50 ms = 450 ms, with slack), not a speed assertion.
      expect(t.arrivals.at(-1)!.at - t.arrivals[0]!.at).toBeGreaterThanOrEqual(400);
    }
  });

  it("--timeout: an endpoint that never answers is a failed request, listed, and exit 3 with a hint", async () => {
    const t = await target([{ kind: "hang" }]);
    const file = await dir.file("hang.json", moText);
    const r = await replay([file, "--to", t.url, "--timeout", "200ms"]);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/✗ .*hang\.json mo_text no answer within the timeout after/);
    expect(r.out).toContain("Sinch retries in 5 s (retry 1 of 15; assumption: Sinch does not document timeout, treated like a 5xx)");
    expect(r.out).toContain("timeout ×1");
    expect(r.err).toContain("✗ 1 of 1 request got no answer (timeout ×1)");
    expect(r.err).toContain("raise --timeout");
    noStack(r.err);
  });

  it("a connection reset mid-run is a failed request; the others still count", async () => {
    const t = await target([{ kind: "status", status: 200 }, { kind: "reset" }, { kind: "status", status: 200 }]);
    const file = await dir.file("reset.json", moText);
    const r = await replay([file, "--to", t.url, "--repeat", "3"]);
    expect(r.code).toBe(3);
    expect(t.received).toHaveLength(3);
    expect(r.out).toContain("200 ×2");
    expect(r.out).toContain("connection reset ×1");
  });

  it("a closed port: one line with a hint, exit 3, no request lines, no stack trace", async () => {
    const file = await dir.file("closed.json", moText);
    const port = await closedPort();
    const r = await replay([file, "--to", `http://127.0.0.1:${port}/sinch`, "--repeat", "20", "--concurrency", "4"]);
    expect(r.code).toBe(3);
    expect(r.out).toBe("");
    const errorLines = r.err.split("\n").filter((l) => l.startsWith("✗"));
    expect(errorLines).toEqual([`✗ cannot reach http://127.0.0.1:${port}/sinch: connection refused`]);
    expect(r.err).toContain("→ is your app running?");
    noStack(r.err);
  });

  it("Ctrl-C stops sending and still prints the summary (exit 130)", async () => {
    const t = await target();
    const file = await dir.file("ctrlc.json", moText);
    const controller = new AbortController();
    void t.waitFor(3).then(() => controller.abort("SIGINT"));
    const r = await replay([file, "--to", t.url, "--repeat", "100", "--rate", "50/s"], { signal: controller.signal });
    expect(r.code).toBe(130);
    expect(t.received.length).toBeGreaterThanOrEqual(3);
    expect(t.received.length).toBeLessThan(100);
    expect(r.out).toMatch(/interrupted: \d+ requests not sent or cut off/);
    expect(r.out).toMatch(/answers {3}200 ×\d+/);
    expect(r.err).toMatch(/Interrupted: \d+ of 100 requests not sent/);
  });

  it("Ctrl-C also cuts off a request in flight (the 60 s timeout is not waited for)", async () => {
    const t = await target([{ kind: "hang" }]);
    const file = await dir.file("ctrlc-hang.json", moText);
    const controller = new AbortController();
    void t.waitFor(1).then(() => controller.abort("SIGINT"));
    const r = await replay([file, "--to", t.url, "--timeout", "60s", "--json"], { signal: controller.signal });
    expect(r.code).toBe(130);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ event: "request", status: null, error: { kind: "interrupted" } });
    expect(lines.at(-1)).toMatchObject({ event: "summary", interrupted: true, not_sent: 1, exit_code: 130 });
  });
});

describe("expectations and reports", () => {
  it("--expect 2xx fails (exit 1) when the endpoint answers 500, and lists the failure", async () => {
    const t = await target([{ kind: "status", status: 200 }, { kind: "status", status: 500 }]);
    const file = await dir.file("exp.json", moText);
    const r = await replay([file, "--to", t.url, "--repeat", "2", "--expect", "2xx"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✓ .*exp\.json #1 mo_text 200/);
    expect(r.out).toMatch(/✗ .*exp\.json #2 mo_text 500 .*→ Sinch retries in 5 s \(retry 1 of 15\) \(expected 2xx\)/);
    expect(r.out).toContain("1 of 2 missed 2xx");
    expect(r.out).toMatch(/✗ #2 .*exp\.json #2 \(mo_text\): got 500, expected 2xx/);
  });

  it.each([
    ["2xx", [200, 204], 0],
    ["200,202", [202, 200], 0],
    ["200,202", [200, 201], 1],
    ["2xx,404", [200, 404], 0],
    ["4xx", [200, 400], 1],
    ["200-204", [204, 200], 0],
  ] as const)("--expect %s with answers %j → exit %i", async (spec, statuses, exit) => {
    const t = await target(statuses.map((status) => ({ kind: "status" as const, status })));
    const file = await dir.file("exp-table.json", moText);
    expect((await replay([file, "--to", t.url, "--repeat", "2", "--expect", spec])).code).toBe(exit);
  });

  it("without --expect, any answer is exit 0 (a 500 is still an answer), with what Sinch would do", async () => {
    const t = await target([{ kind: "status", status: 500 }, { kind: "status", status: 400 }, { kind: "status", status: 429 }]);
    const file = await dir.file("noexp.json", moText);
    const r = await replay([file, "--to", t.url, "--repeat", "3"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("500 ");
    expect(r.out).toContain("→ dropped for good (a 4xx other than 429 is final for Sinch)");
    expect(r.out).toContain("→ Sinch retries in 5 s (retry 1 of 15), rate lowered (429)");
  });

  it("--json: one object per request and a summary object", async () => {
    const t = await target([{ kind: "status", status: 200 }, { kind: "status", status: 503 }]);
    const file = await dir.file("json.json", moText);
    const r = await replay([file, "--to", `${t.url}/cb?token=hidden-query-value`, "--repeat", "2", "--json", "--expect", "2xx", "--hmac-secret", SECRET]);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ event: "request", seq: 1, round: 1, type: "mo_text", valid: true, status: 200, expected: true, url: `${t.url}/cb?…`, sinch: { outcome: "delivered" } });
    expect(lines[1]).toMatchObject({ event: "request", seq: 2, round: 2, status: 503, expected: false, sinch: { outcome: "retry", reason: "5xx" } });
    expect(typeof lines[0]!.nonce).toBe("string");
    expect(lines[2]).toMatchObject({ event: "summary", planned: 2, sent: 2, answered: 2, statuses: { "200": 1, "503": 1 }, expect: "2xx", met: 1, missed: 1, exit_code: 1 });
    expect(r.out + r.err).not.toContain("hidden-query-value");
  });

  it("--junit writes one testcase per request, failures for missed expectations, escaped names; parsed back", async () => {
    const t = await target([{ kind: "status", status: 200 }, { kind: "status", status: 500, body: "boom <&> \u0001" }]);
    const file = await dir.file(`we&ird <"name'>.json`, moText);
    const report = `${dir.path}/report.xml`;
    const r = await replay([file, "--to", t.url, "--repeat", "2", "--expect", "2xx", "--junit", report]);
    expect(r.code).toBe(1);
    const xml = await readFile(report, "utf8");
    const root = parseXml(xml);
    expect(root.name).toBe("testsuites");
    expect(root.attrs).toMatchObject({ tests: "2", failures: "1", errors: "0" });
    const cases = findAll(root, "testcase");
    expect(cases).toHaveLength(2);
    expect(cases[0]!.attrs.name).toBe(`#1 ${file} #1`);
    expect(cases[0]!.attrs.classname).toBe("sinch-hooks.replay.mo_text");
    expect(cases[0]!.children).toEqual([]);
    const failure = findAll(cases[1]!, "failure");
    expect(failure).toHaveLength(1);
    expect(failure[0]!.attrs.message).toBe("expected 2xx, got 500");
    expect(failure[0]!.text).toContain("response: boom <&> \uFFFD");
  });

  it("--junit: no answer is an <error>, interrupted requests are <skipped>", async () => {
    const t = await target([{ kind: "status", status: 200 }, { kind: "hang" }]);
    const file = await dir.file("junit-err.json", moText);
    const report = `${dir.path}/report-err.xml`;
    const r = await replay([file, "--to", t.url, "--repeat", "2", "--timeout", "150ms", "--junit", report]);
    expect(r.code).toBe(3);
    const root = parseXml(await readFile(report, "utf8"));
    expect(root.attrs).toMatchObject({ tests: "2", failures: "0", errors: "1" });
    expect(findAll(root, "error")[0]!.attrs.message).toBe("no answer: no answer within the timeout");

    const t2 = await target();
    const controller = new AbortController();
    void t2.waitFor(1).then(() => controller.abort());
    const report2 = `${dir.path}/report-skip.xml`;
    expect((await replay([file, "--to", t2.url, "--repeat", "50", "--rate", "20/s", "--junit", report2], { signal: controller.signal })).code).toBe(130);
    const root2 = parseXml(await readFile(report2, "utf8"));
    expect(Number(root2.attrs.skipped)).toBeGreaterThan(0);
    expect(findAll(root2, "testcase")).toHaveLength(50);
  });

  it("--junit into a directory that does not exist is a usage error before anything is sent", async () => {
    const t = await target();
    const file = await dir.file("junit-dir.json", moText);
    const r = await replay([file, "--to", t.url, "--junit", `${dir.path}/no/such/dir/r.xml`]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--junit: directory");
    expect(t.received).toHaveLength(0);
  });
});

describe("refusals", () => {
  it("an invalid payload is refused with its errors (exit 2, nothing sent); --allow-invalid sends it", async () => {
    const t = await target();
    const bad = { ...(JSON.parse(moText) as Record<string, unknown>) };
    delete bad.from;
    const file = await dir.file("invalid.json", JSON.stringify(bad));
    const r = await replay([file, "--to", t.url]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("1 payload is invalid, nothing was sent");
    expect(r.err).toContain("from");
    expect(r.err).toContain("--allow-invalid");
    expect(t.received).toHaveLength(0);
    const sent = await replay([file, "--to", t.url, "--allow-invalid"]);
    expect(sent.code).toBe(0);
    expect(sent.out).toContain("(invalid)");
    expect(t.received).toHaveLength(1);
  });

  it("an unknown type is refused, exit 2", async () => {
    const t = await target();
    const file = await dir.file("unknown.json", JSON.stringify({ type: "mo_telegram", id: "x" }));
    const r = await replay([file, "--to", t.url]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown callback type "mo_telegram" (known: mo_text,');
    expect(t.received).toHaveLength(0);
  });

  it("a missing file and invalid JSON (file:line:column) are exit 2 with one line and a hint", async () => {
    const missing = await replay([`${dir.path}/nope.json`, "--to", "http://127.0.0.1:9/"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`✗ file not found: ${dir.path}/nope.json`);
    const broken = await dir.file("broken.json", '{\n  "type": "mo_text",\n  "id": \n}');
    const r = await replay([broken, "--to", "http://127.0.0.1:9/"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`✗ ${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:4:1: `));
    for (const run of [missing, r]) noStack(run.err);
  });

  it.each([
    [["--concurrency", "0"], "--concurrency must be a whole number >= 1"],
    [["--rate", "fast"], "--rate must be a number of requests per second"],
    [["--expect", "2yy"], '--expect: "2yy" is not a status'],
    [["--timeout", "soon"], "--timeout must be a duration"],
    [["--nonce", "abc"], "--nonce only applies to HMAC signatures"],
    [["--oauth-token-url", "http://127.0.0.1:9/t"], "--oauth-token-url needs --oauth-credentials"],
    [["--basic-auth", "a:b", "--oauth-token-url", "http://127.0.0.1:9/t", "--oauth-credentials", "c:d"], "Basic and OAuth cannot be combined"],
    [["--header", "no colon"], "--header must look like"],
    [["--set", "novalue"], "--set must look like path=value"],
  ])("usage error %j", async (extra, message) => {
    const file = await dir.file("usage.json", moText);
    const r = await replay([file, "--to", "http://127.0.0.1:9/", ...extra]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    noStack(r.err);
  });

  it("credentials in --to are refused rather than printed", async () => {
    const file = await dir.file("userinfo.json", moText);
    const r = await replay([file, "--to", "http://me:topsecret@127.0.0.1:9/"]);
    expect(r.code).toBe(2);
    expect(r.err).not.toContain("topsecret");
  });
});

describe("secrets never appear in output", () => {
  it("HMAC secret, Basic password, OAuth secret and token, and a secret header: not in lines, JSON, JUnit or dry runs", async () => {
    const tokens = await new TokenServer(OAUTH).start();
    servers.push(tokens);
    const t = await target([{ kind: "status", status: 500 }]);
    const file = await dir.file("secrets.json", moText);
    const junit = `${dir.path}/secrets.xml`;
    const common = [file, "--to", t.url, "--hmac-secret", SECRET, "-H", "X-Api-Key: header-secret-value", "--expect", "2xx"];
    const oauth = ["--oauth-token-url", tokens.url, "--oauth-credentials", `${OAUTH.clientId}:${OAUTH.clientSecret}`];
    const runs = [
      await replay([...common, ...oauth, "--junit", junit]),
      await replay([...common, ...oauth, "--json"]),
      await replay([...common, ...oauth, "--dry-run"]),
      await replay([...common, "--basic-auth", `${BASIC.user}:${BASIC.password}`, "--dry-run", "--json"]),
      await replay([...common, "--basic-auth", `${BASIC.user}:${BASIC.password}`]),
    ];
    const token = t.received.find((x) => x.headers.authorization?.startsWith("Bearer "))!.headers.authorization!.slice(7);
    const all = runs.map((r) => r.out + r.err).join("\n") + (await readFile(junit, "utf8"));
    for (const secret of [SECRET, BASIC.password, OAUTH.clientSecret, token, "header-secret-value", basicAuthorization(BASIC.user, BASIC.password).slice(6)]) {
      expect(all).not.toContain(secret);
    }
  });
});

async function hasCurl(): Promise<boolean> {
  const { execFile } = await import("node:child_process");
  return new Promise((resolve) => execFile("sh", ["-c", "command -v curl"], (err) => resolve(err === null)));
}

async function sh(script: string, env: Record<string, string>, fakeCurl: boolean): Promise<string> {
  const { execFile } = await import("node:child_process");
  // Without curl on the machine, a shell function stands in for it and prints its argv, NUL-separated.
  const prelude = fakeCurl ? `curl() { for a in "$@"; do printf '%s\\0' "$a"; done; printf '\\n'; }\n` : "";
  return new Promise((resolve, reject) =>
    execFile("sh", ["-c", prelude + script], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
  );
}

describe("--dry-run", () => {
  it("prints a curl command per request, sends nothing, and the commands deliver the same signed bytes when run", async () => {
    const t = await target();
    const raw = '{"type":"mo_text","id":"01JFAKE0000000000000000001","from":"+15550100001","to":"15550100099","body":"it\'s $HOME `x` \\\\ \\"q\\" 👋\\nline","received_at":"2025-01-13T09:22:00Z"}';
    const file = await dir.file("dry.json", recording(raw, { path: "/sinch" }));
    const r = await replay([file, "--to", t.url, "--hmac-secret", SECRET, "--basic-auth", `${BASIC.user}:${BASIC.password}`, "-H", "X-Api-Key: dry-key-value", "--repeat", "2", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(t.received).toHaveLength(0);
    expect(r.out.match(/^curl -sS /gm)).toHaveLength(2);
    expect(r.err).toContain("dry run: 2 curl commands printed, nothing sent");
    expect(r.err).toContain("SINCH_HOOKS_BASIC_AUTH");
    expect(r.err).toContain("SINCH_HOOKS_HEADER_X_API_KEY");

    const real = await hasCurl();
    const env = { SINCH_HOOKS_BASIC_AUTH: `${BASIC.user}:${BASIC.password}`, SINCH_HOOKS_HEADER_X_API_KEY: "dry-key-value" };
    const printed = await sh(r.out, env, !real);
    const received = real
      ? t.received.map((x) => ({ body: x.body, headers: x.headers as Record<string, string | string[] | undefined>, url: x.url }))
      : printed.split("\0\n").filter((line) => line !== "").map((line) => {
          // The fake curl printed its argv: rebuild what curl would have sent from it.
          const argv = line.split("\0");
          const headers: Record<string, string> = {};
          argv.forEach((a, i) => {
            if (argv[i - 1] === "-H") headers[a.slice(0, a.indexOf(":")).toLowerCase()] = a.slice(a.indexOf(":") + 1).trim();
            if (argv[i - 1] === "-u") headers.authorization = basicAuthorization(a.slice(0, a.indexOf(":")), a.slice(a.indexOf(":") + 1));
          });
          return { body: Buffer.from(argv[argv.indexOf("--data-binary") + 1]!, "utf8"), headers, url: new URL(argv.find((a) => a.startsWith("http://"))!).pathname };
        });
    expect(received).toHaveLength(2);
    for (const got of received) {
      expect(got.url).toBe("/sinch");
      expect(got.body.equals(Buffer.from(raw, "utf8"))).toBe(true);
      expect(got.headers.authorization).toBe(basicAuthorization(BASIC.user, BASIC.password));
      expect(got.headers["x-api-key"]).toBe("dry-key-value");
      expect(verifyHmac({ secret: SECRET, body: got.body, headers: got.headers, nowMs: Date.now() }).ok).toBe(true);
    }
  });

  it("with OAuth, a first line fetches the token from SINCH_HOOKS_OAUTH_CREDENTIALS; no request is made while printing", async () => {
    const tokens = await new TokenServer(OAUTH).start();
    servers.push(tokens);
    const t = await target();
    const file = await dir.file("dry-oauth.json", moText);
    const r = await replay([file, "--to", `${t.url}/sinch`, "--oauth-token-url", tokens.url, "--oauth-credentials", `${OAUTH.clientId}:${OAUTH.clientSecret}`, "--dry-run"]);
    expect(r.code).toBe(0);
    expect(tokens.requests).toBe(0);
    expect(t.received).toHaveLength(0);
    expect(r.out).toContain(`-H 'authorization: Bearer '"$SINCH_HOOKS_OAUTH_TOKEN"`);
    if (await hasCurl()) {
      await sh(r.out, { SINCH_HOOKS_OAUTH_CREDENTIALS: `${OAUTH.clientId}:${OAUTH.clientSecret}` }, false);
      expect(tokens.requests).toBe(1);
      expect(t.received).toHaveLength(1);
      expect(checkBearer(t.received[0]!.headers.authorization, tokens.store, Date.now())).toEqual({ ok: true });
      expect(t.received[0]!.body.toString()).toBe(JSON.stringify(JSON.parse(moText)));
    }
    // With or without curl here: the token line is valid sh that sends the credentials variable and
    // extracts access_token from the answer (a shell function plays the token endpoint).
    const tokenLine = r.out.split("\n").find((l) => l.startsWith("SINCH_HOOKS_OAUTH_TOKEN="))!;
    const endpoint = `curl() { case "$*" in *"-u id:p w"*"grant_type=client_credentials ${tokens.url}"*) printf '{"access_token":"tok-123","token_type":"Bearer","expires_in":60}';; esac; }\n`;
    expect(await sh(`${endpoint}${tokenLine}\nprintf '%s' "$SINCH_HOOKS_OAUTH_TOKEN"`, { SINCH_HOOKS_OAUTH_CREDENTIALS: "id:p w" }, false)).toBe("tok-123");
    // An already exported token is used as it is, without asking the endpoint.
    expect(await sh(`curl() { exit 9; }\n${tokenLine}\nprintf '%s' "$SINCH_HOOKS_OAUTH_TOKEN"`, { SINCH_HOOKS_OAUTH_TOKEN: "preset" }, false)).toBe("preset");
  });

  it("a body that is not text is piped in from Base64 and arrives byte-exact", async () => {
    const t = await target();
    const bytes = Buffer.from([0x7b, 0x00, 0xff, 0x27, 0x0a, 0x7d]);
    const file = await dir.file("dry-bin.json", recording({ base64: bytes.toString("base64") }));
    const r = await replay([file, "--to", t.url, "--allow-invalid", "--hmac-secret", SECRET, "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("| base64 -d | curl -sS ");
    if (await hasCurl()) {
      await sh(r.out, {}, false);
      expect(t.received[0]!.body.equals(bytes)).toBe(true);
      expect(verifyHmac({ secret: SECRET, body: t.received[0]!.body, headers: t.received[0]!.headers, nowMs: Date.now() }).ok).toBe(true);
    } else {
      const b64 = /printf '%s' '([A-Za-z0-9+/=]+)'/.exec(r.out)![1]!;
      expect(Buffer.from(b64, "base64").equals(bytes)).toBe(true);
    }
  });

  it("a secret-looking header kept in a recording is read from the environment too", async () => {
    const t = await target();
    const file = await dir.file("dry-rec-secret.json", recording(JSON.stringify(JSON.parse(moText)), { headers: { "content-type": "application/json", "x-sinch-api-key": "recorded-key-value" } }));
    const r = await replay([file, "--to", t.url, "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.out + r.err).not.toContain("recorded-key-value");
    expect(r.out).toContain(`-H 'x-sinch-api-key: '"$SINCH_HOOKS_HEADER_X_SINCH_API_KEY"`);
    expect(r.err).toContain("SINCH_HOOKS_HEADER_X_SINCH_API_KEY (the value of the x-sinch-api-key header)");
    if (await hasCurl()) {
      await sh(r.out, { SINCH_HOOKS_HEADER_X_SINCH_API_KEY: "recorded-key-value" }, false);
      expect(t.received[0]!.headers["x-sinch-api-key"]).toBe("recorded-key-value");
    }
  });

  it("--dry-run --json: one object per request with its curl command", async () => {
    const file = await dir.file("dry-json.json", moText);
    const r = await replay([file, "--to", "http://127.0.0.1:9/sinch", "--repeat", "2", "--dry-run", "--json"]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l) as { event: string; dry_run: boolean; curl: string; seq: number });
    expect(lines.map((l) => [l.event, l.dry_run, l.seq])).toEqual([
      ["request", true, 1],
      ["request", true, 2],
    ]);
    expect(lines[0]!.curl).toMatch(/^curl -sS 'http:\/\/127\.0\.0\.1:9\/sinch'/);
  });
});

describe("as a new user would", () => {
  it("`fixtures mo_text > m.json && replay m.json --to URL --hmac-secret S` delivers a request the endpoint can verify", async () => {
    const { main } = await import("../../src/cli/main.js");
    const { fakeIo } = await import("../helpers/fake-io.js");
    const fixturesIo = fakeIo({ now: Date.now });
    expect(await main(["fixtures", "mo_text"], { io: fixturesIo, signal: new AbortController().signal })).toBe(0);
    const file = await dir.file("new-user.json", fixturesIo.stdout.text());
    const t = await target();
    const r = await replay([file, "--to", `${t.url}/sinch`, "--hmac-secret", "S3cr3t-for-new-user"]);
    expect(r.code).toBe(0);
    const got = t.received[0]!;
    expect(verifyHmac({ secret: "S3cr3t-for-new-user", body: got.body, headers: got.headers, nowMs: Date.now() }).ok).toBe(true);
    expect(JSON.parse(got.body.toString())).toEqual(JSON.parse(fixturesIo.stdout.text()));
  });
});

describe("signHmac agrees with what replay sends", () => {
  it("the fixed-nonce signature is the one signHmac computes for the compact body", async () => {
    const t = await target();
    const file = await dir.file("agree.json", moText);
    expect((await replay([file, "--to", t.url, "--hmac-secret", SECRET, "--nonce", "n-1", "--timestamp", "1700000000"])).code).toBe(0);
    const expected = signHmac({ secret: SECRET, body: Buffer.from(JSON.stringify(JSON.parse(moText))), nonce: "n-1", timestamp: 1700000000 });
    expect(t.received[0]!.headers["x-sinch-webhook-signature"]).toBe(expected["x-sinch-webhook-signature"]);
  });
});
