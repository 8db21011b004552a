import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { listen, type Listener, type ListenEvent, type ListenOptions } from "../../src/listen/index.js";
import { RECORDING_SCHEMA, decodeBody, type Recording } from "../../src/listen/recording.js";
import { parseRespondSpec } from "../../src/listen/respond.js";
import { basicAuthorization } from "../../src/sign/basic.js";
import { signHmac } from "../../src/sign/hmac.js";
import { TargetServer, closedPort } from "../helpers/target-server.js";

const MO_TEXT = JSON.stringify({
  type: "mo_text",
  id: "01JFAKEMSG0000000000000001",
  from: "+15550100001",
  to: "+15550100002",
  body: "Hello 👋 from a test",
  received_at: "2026-11-27T12:00:00.000Z",
});
const RDR = JSON.stringify({
  type: "recipient_delivery_report_sms",
  batch_id: "01JFAKEBATCH00000000000001",
  recipient: "+15550100003",
  code: 0,
  status: "Delivered",
  at: "2026-11-27T12:00:01Z",
});
const INVALID = JSON.stringify({ type: "delivery_report_sms", batch_id: "01JFAKEBATCH00000000000002", total_message_count: 1, statuses: [{ code: 0, status: "Delivered", count: 0 }] });

const base: ListenOptions = {
  host: "127.0.0.1",
  port: 0,
  maxBodyBytes: 1024 * 1024,
  forwardTimeoutMs: 2_000,
  redact: false,
  oauthTokenTtlSeconds: 3600,
  strictSchema: false,
};

let listener: Listener | undefined;
let target: TargetServer | undefined;
const tmpDirs: string[] = [];

afterEach(async () => {
  await listener?.close(1_000);
  listener = undefined;
  await target?.stop();
  target = undefined;
  for (const d of tmpDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function start(opts: Partial<ListenOptions> = {}): Promise<{ url: string; events: ListenEvent[] }> {
  const events: ListenEvent[] = [];
  listener = await listen({ ...base, ...opts }, (e) => events.push(e));
  return { url: listener.url, events };
}

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  const res = await request(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  return { status: res.statusCode, text: await res.body.text(), headers: res.headers };
}

function callbacks(events: ListenEvent[]): Extract<ListenEvent, { event: "callback" }>[] {
  return events.filter((e): e is Extract<ListenEvent, { event: "callback" }> => e.event === "callback");
}

describe("listen: bodies", () => {
  it("answers 200 to a valid callback and reports it as valid", async () => {
    const { url, events } = await start();
    const res = await post(`${url}/sinch`, MO_TEXT);
    expect(res.status).toBe(200);
    const [e] = callbacks(events);
    expect(e?.decision.type).toBe("mo_text");
    expect(e?.decision.validation?.ok).toBe(true);
    expect(e?.sinch.text).toBe("→ delivered");
    expect(e?.path).toBe("/sinch");
  });

  it("answers 200 to a schema-invalid callback by default but reports the errors", async () => {
    const { url, events } = await start();
    expect((await post(url, INVALID)).status).toBe(200);
    const [e] = callbacks(events);
    expect(e?.decision.validation?.ok).toBe(false);
    expect(JSON.stringify(e?.decision.validation?.errors)).toContain("/statuses/0/count");
  });

  it("answers 400 to a schema-invalid callback with --strict", async () => {
    const { url, events } = await start({ strictSchema: true });
    const res = await post(url, INVALID);
    expect(res.status).toBe(400);
    expect(res.text).toContain("/statuses/0/count");
    expect(callbacks(events)[0]?.sinch.text).toMatch(/dropped for good/);
  });

  it("answers 400 to a body that is not JSON, with line and column", async () => {
    const { url, events } = await start();
    const res = await post(url, '{"type": "mo_text",\n  oops}');
    expect(res.status).toBe(400);
    const [e] = callbacks(events);
    expect(e?.decision.parseError?.line).toBe(2);
    expect(res.text).toMatch(/line 2/);
  });

  it("answers 413 to an oversized body and keeps serving", async () => {
    const { url, events } = await start({ maxBodyBytes: 1024 });
    const res = await post(url, JSON.stringify({ type: "mo_text", body: "x".repeat(5000) }));
    expect(res.status).toBe(413);
    expect(events.some((e) => e.event === "rejected" && e.rejected.status === 413)).toBe(true);
    expect((await post(url, MO_TEXT)).status).toBe(200);
  });

  it("answers 405 to anything but POST", async () => {
    const { url, events } = await start();
    const res = await request(url, { method: "GET" });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe("POST");
    await res.body.dump();
    expect(events[0]?.event).toBe("not-allowed");
  });
});

describe("listen: HMAC", () => {
  const secret = "test-secret-not-real";
  const headersFor = (body: string, nowMs: number, nonce = `01JFAKENONCE${String(nowMs).slice(-14).padStart(14, "0")}`) =>
    signHmac({ secret, body, nonce, timestamp: Math.floor(nowMs / 1000) });

  it("accepts a correctly signed callback", async () => {
    const { url, events } = await start({ hmac: { secret, toleranceSeconds: 300, strict: false } });
    const res = await post(url, RDR, headersFor(RDR, Date.now()));
    expect(res.status).toBe(200);
    expect(callbacks(events)[0]?.decision.auth).toEqual([{ scheme: "hmac", ok: true, message: "valid signature", warnings: [] }]);
  });

  it("refuses a tampered body with 401 and the reason", async () => {
    const { url, events } = await start({ hmac: { secret, toleranceSeconds: 300, strict: false } });
    const headers = headersFor(RDR, Date.now());
    const res = await post(url, RDR.replace("Delivered", "Failed"), headers);
    expect(res.status).toBe(401);
    const a = callbacks(events)[0]?.decision.auth[0];
    expect(a?.ok).toBe(false);
    expect(a?.message).toMatch(/signature/i);
    expect(callbacks(events)[0]?.sinch.text).toMatch(/dropped for good/);
  });

  it("refuses a missing signature header naming it", async () => {
    const { url, events } = await start({ hmac: { secret, toleranceSeconds: 300, strict: false } });
    const headers = headersFor(RDR, Date.now());
    delete headers["x-sinch-webhook-signature-nonce"];
    expect((await post(url, RDR, headers)).status).toBe(401);
    expect(callbacks(events)[0]?.decision.auth[0]?.message).toContain("x-sinch-webhook-signature-nonce");
  });

  it("accepts and labels a valid signature that is stale or replayed; --strict-signatures refuses them", async () => {
    const now = Date.now();
    const { url, events } = await start({ hmac: { secret, toleranceSeconds: 300, strict: false } });
    const stale = headersFor(RDR, now - 600_000, "01JFAKENONCESTALE000000001");
    expect((await post(url, RDR, stale)).status).toBe(200);
    expect(callbacks(events)[0]?.decision.auth[0]?.warnings.join(" ")).toMatch(/old.*Sinch repeated its signature/);
    const fresh = headersFor(RDR, now, "01JFAKENONCEREPLAY00000001");
    expect((await post(url, RDR, fresh)).status).toBe(200);
    expect((await post(url, RDR, fresh)).status).toBe(200);
    expect(callbacks(events)[2]?.decision.auth[0]?.warnings.join(" ")).toMatch(/already used/);

    await listener?.close(500);
    const strict = await start({ hmac: { secret, toleranceSeconds: 300, strict: true } });
    expect((await post(strict.url, RDR, headersFor(RDR, now - 600_000, "01JFAKENONCESTALE000000002"))).status).toBe(401);
  });
});

describe("listen: Basic and OAuth", () => {
  it("requires Basic credentials", async () => {
    const { url, events } = await start({ basic: { user: "sinch", password: "pw-fake" } });
    const none = await post(url, MO_TEXT);
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toMatch(/^Basic/);
    expect((await post(url, MO_TEXT, { authorization: basicAuthorization("sinch", "wrong") })).status).toBe(401);
    expect((await post(url, MO_TEXT, { authorization: basicAuthorization("sinch", "pw-fake") })).status).toBe(200);
    expect(callbacks(events).map((e) => e.decision.auth[0]?.ok)).toEqual([false, false, true]);
  });

  it("runs the OAuth client-credentials round trip and expires tokens", async () => {
    let now = Date.UTC(2026, 10, 27, 12);
    const { url, events } = await start({ oauth: { clientId: "sinch-client", clientSecret: "client-secret-fake" }, oauthTokenTtlSeconds: 60, now: () => now });
    const bad = await request(`${url}/oauth/token`, {
      method: "POST",
      headers: { authorization: basicAuthorization("sinch-client", "nope"), "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    expect(bad.statusCode).toBe(401);
    await bad.body.dump();
    const ok = await request(`${url}/oauth/token`, {
      method: "POST",
      headers: { authorization: basicAuthorization("sinch-client", "client-secret-fake"), "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    expect(ok.statusCode).toBe(200);
    const token = (await ok.body.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(token.token_type).toBe("Bearer");
    expect(token.expires_in).toBe(60);

    expect((await post(url, MO_TEXT)).status).toBe(401);
    expect((await post(url, MO_TEXT, { authorization: "Bearer not-a-token" })).status).toBe(401);
    expect((await post(url, MO_TEXT, { authorization: `Bearer ${token.access_token}` })).status).toBe(200);
    now += 61_000;
    const expired = await post(url, MO_TEXT, { authorization: `Bearer ${token.access_token}` });
    expect(expired.status).toBe(401);
    expect(callbacks(events).at(-1)?.decision.auth[0]?.message).toMatch(/expired/);
    expect(events.filter((e) => e.event === "token").map((e) => (e as { granted: boolean }).granted)).toEqual([false, true]);
  });

  it("combines HMAC with Basic: both must pass", async () => {
    const secret = "combo-secret-fake";
    const { url } = await start({ basic: { user: "u", password: "p" }, hmac: { secret, toleranceSeconds: 300, strict: false } });
    const sig = signHmac({ secret, body: MO_TEXT, nonce: "01JFAKENONCECOMBO000000001", timestamp: Math.floor(Date.now() / 1000) });
    expect((await post(url, MO_TEXT, sig)).status).toBe(401);
    expect((await post(url, MO_TEXT, { ...sig, authorization: basicAuthorization("u", "p") })).status).toBe(200);
  });
});

describe("listen: --respond", () => {
  it("plays a per-callback sequence and annotates what Sinch does next", async () => {
    const { url, events } = await start({ respond: parseRespondSpec("503,429,200") });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(url, MO_TEXT)).status);
    expect(statuses).toEqual([503, 429, 200, 200]);
    // A different callback starts its own sequence.
    expect((await post(url, RDR)).status).toBe(503);
    const cb = callbacks(events);
    expect(cb.map((e) => e.decision.seen.attempt)).toEqual([1, 2, 3, 4, 1]);
    expect(cb[0]?.sinch.text).toBe("→ Sinch retries in 5 s (retry 1 of 15)");
    expect(cb[1]?.sinch.text).toBe("→ Sinch retries in 5 s (retry 2 of 15), rate lowered (429)");
    expect(cb[2]?.sinch.text).toBe("→ delivered");
  });
});

describe("listen: --forward-to", () => {
  it("forwards the raw bytes and headers and mirrors the app's status", async () => {
    target = await new TargetServer([{ kind: "status", status: 202 }]).start();
    const { url, events } = await start({ forwardTo: new URL(`${target.url}/app/sinch`) });
    // Unusual but valid JSON formatting must arrive byte-for-byte (HMAC is computed over the raw bytes).
    const body = '{ "type":"mo_text",\n "id":"01JFAKEMSG0000000000000009", "from":"+15550100001","to":"+15550100002","body":"caf\\u00e9 \\/ 👋","received_at":"2026-11-27T12:00:00Z" }';
    const res = await post(`${url}/incoming`, body, { "x-sinch-webhook-signature": "abc", "x-custom": "kept" });
    expect(res.status).toBe(202);
    expect(target.received).toHaveLength(1);
    const got = target.received[0]!;
    expect(got.body.equals(Buffer.from(body))).toBe(true);
    expect(got.url).toBe("/app/sinch");
    expect(got.headers["x-sinch-webhook-signature"]).toBe("abc");
    expect(got.headers["x-custom"]).toBe("kept");
    expect(got.headers.host).toBe(`127.0.0.1:${target.port}`);
    const e = callbacks(events)[0];
    expect(e?.forward?.status).toBe(202);
    expect(e?.statusSource).toBe("app");
  });

  it("mirrors a 500 from the app, which Sinch retries", async () => {
    target = await new TargetServer([{ kind: "status", status: 500 }]).start();
    const { url, events } = await start({ forwardTo: new URL(target.url) });
    expect((await post(url, MO_TEXT)).status).toBe(500);
    expect(callbacks(events)[0]?.sinch.text).toBe("→ Sinch retries in 5 s (retry 1 of 15)");
  });

  it("answers 503 when the app is not running, never a 404", async () => {
    const port = await closedPort();
    const { url, events } = await start({ forwardTo: new URL(`http://127.0.0.1:${port}/sinch`) });
    const res = await post(url, MO_TEXT);
    expect(res.status).toBe(503);
    const e = callbacks(events)[0];
    expect(e?.forward?.error?.kind).toBe("refused");
    expect(e?.statusSource).toBe("app-unreachable");
  });

  it("answers 503 when the app is too slow, and the next callback still gets through", async () => {
    target = await new TargetServer([{ kind: "hang" }, { kind: "status", status: 200 }]).start();
    const { url, events } = await start({ forwardTo: new URL(target.url), forwardTimeoutMs: 300 });
    expect((await post(url, MO_TEXT)).status).toBe(503);
    expect(callbacks(events)[0]?.forward?.error?.kind).toBe("timeout");
    expect((await post(url, RDR)).status).toBe(200);
  });

  it("answers 503 when the app resets the connection", async () => {
    target = await new TargetServer([{ kind: "reset" }]).start();
    const { url, events } = await start({ forwardTo: new URL(target.url) });
    expect((await post(url, MO_TEXT)).status).toBe(503);
    expect(callbacks(events)[0]?.forward?.error?.kind).toMatch(/reset|other/);
  });

  it("does not forward refused callbacks", async () => {
    target = await new TargetServer().start();
    const { url } = await start({ forwardTo: new URL(target.url), basic: { user: "u", password: "p" } });
    expect((await post(url, MO_TEXT)).status).toBe(401);
    expect(target.received).toHaveLength(0);
  });
});

describe("listen: duplicates and recording", () => {
  it("labels a repeated callback as a retry with its timing", async () => {
    let now = 1_000_000;
    const { url, events } = await start({ now: () => now });
    await post(url, MO_TEXT);
    now += 5_000;
    await post(url, MO_TEXT);
    const second = callbacks(events)[1];
    expect(second?.decision.seen).toEqual({ attempt: 2, firstSeenMs: 1_000_000, previousSeenMs: 1_000_000 });
  });

  it("records each callback as a fixture file that round-trips byte for byte", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-rec-"));
    tmpDirs.push(dir);
    const { url } = await start({ recordDir: join(dir, "out") });
    const bodies = [MO_TEXT, RDR, INVALID, "not json at all"];
    for (const b of bodies) await post(`${url}/cb`, b, { "x-custom": "v", authorization: "Bearer secret-token-fake" });
    await listener!.close();
    const files = (await readdir(join(dir, "out"))).toSorted();
    expect(files).toHaveLength(4);
    expect(files.every((f) => /^\d{8}T\d{6}\.\d{3}Z-\d{6}-[a-z_]+\.json$/.test(f))).toBe(true);
    const { default: Ajv } = await import("ajv");
    const validate = new (Ajv as unknown as typeof import("ajv").default)({ strict: false }).compile(RECORDING_SCHEMA);
    const recs: Recording[] = [];
    for (const f of files) {
      const text = await readFile(join(dir, "out", f), "utf8");
      expect(text).not.toContain("secret-token-fake");
      const rec = JSON.parse(text) as Recording;
      expect(validate(rec)).toBe(true);
      recs.push(rec);
    }
    expect(recs.map((r) => decodeBody(r).toString())).toEqual(bodies);
    expect(recs.map((r) => r.verdict.type)).toEqual(["mo_text", "recipient_delivery_report_sms", "delivery_report_sms", null]);
    expect(recs[0]?.headers["x-custom"]).toBe("v");
    expect(recs[0]?.path).toBe("/cb");
    expect(recs[2]?.verdict.valid).toBe(false);
  });

  it("with --redact masks numbers and text in recordings", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-red-"));
    tmpDirs.push(dir);
    const { url } = await start({ recordDir: dir, redact: true });
    await post(url, MO_TEXT);
    await listener!.close();
    const [f] = await readdir(dir);
    const text = await readFile(join(dir, f!), "utf8");
    expect(text).not.toContain("15550100001");
    expect(text).not.toContain("Hello");
    expect((JSON.parse(text) as Recording).redacted).toBe(true);
  });
});

describe("listen: shutdown", () => {
  it("finishes in-flight requests and flushes their recordings before closing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-shut-"));
    tmpDirs.push(dir);
    target = await new TargetServer([{ kind: "delay", ms: 300, status: 200 }]).start();
    const { url } = await start({ forwardTo: new URL(target.url), recordDir: dir });
    const inflight = Promise.all([post(url, MO_TEXT), post(url, RDR), post(url, INVALID)]);
    await target.waitFor(3);
    const closed = listener!.close(5_000);
    const results = await inflight;
    await closed;
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await readdir(dir)).filter((f) => f.endsWith(".json"))).toHaveLength(3);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toHaveLength(0);
  });

  it("a port in use is a clear usage error naming the port", async () => {
    const { url } = await start();
    const port = Number(new URL(url).port);
    await expect(listen({ ...base, port }, () => {})).rejects.toMatchObject({ code: "SH_PORT_IN_USE", exitCode: 2, message: expect.stringContaining(String(port)) });
  });
});
