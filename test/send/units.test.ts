/** The small shared send helpers: --set, --header, target and path, header masking, the authenticator. */
import { afterEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { basicAuthorization } from "../../src/sign/basic.js";
import { verifyHmac } from "../../src/sign/hmac.js";
import { checkBearer } from "../../src/sign/oauth.js";
import { createAuthenticator, maskHeaders, parseHeaderFlag } from "../../src/send/auth.js";
import { classifyNetworkError, createHttpClient } from "../../src/send/http.js";
import { applyOverrides, parseSetFlag } from "../../src/send/overrides.js";
import { requestPath, resolveTarget } from "../../src/send/target.js";
import { TargetServer, closedPort } from "../helpers/target-server.js";
import { TokenServer } from "../replay/helpers.js";

const stops: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s.stop()));
});

describe("parseSetFlag / applyOverrides", () => {
  it.each([
    ["status=Failed", ["status"], "Failed"],
    ["code=402", ["code"], 402],
    ["flag=true", ["flag"], true],
    ["statuses.0.count=3", ["statuses", "0", "count"], 3],
    ["/a/b=x", ["a", "b"], "x"],
    ['obj={"k":1}', ["obj"], { k: 1 }],
    ["empty=", ["empty"], ""],
    ["text=a=b", ["text"], "a=b"],
  ])("%s", (text, path, value) => {
    expect(parseSetFlag(text)).toEqual({ path, value, text });
  });

  it.each(["novalue", "=x", "a..b=1", "__proto__.x=1", "a.constructor=1"])("refuses %s", (text) => {
    expect(() => parseSetFlag(text)).toThrow(UsageError);
  });

  it("sets nested fields on a copy, creating arrays and objects as needed", () => {
    const input = { type: "delivery_report_sms", statuses: [{ count: 1 }] };
    const out = applyOverrides(input, ["statuses.0.count=3", "client_reference=x", "extra.0.k=v"].map(parseSetFlag));
    expect(out).toEqual({ type: "delivery_report_sms", statuses: [{ count: 3 }], client_reference: "x", extra: [{ k: "v" }] });
    expect(input.statuses[0]!.count).toBe(1);
  });
});

describe("parseHeaderFlag / maskHeaders", () => {
  it("splits on the first colon, lower-cases the name, trims the value", () => {
    expect(parseHeaderFlag("X-Env:  staging ")).toEqual(["x-env", "staging"]);
    expect(parseHeaderFlag("X-Url: http://a:b")).toEqual(["x-url", "http://a:b"]);
  });

  it.each(["no colon", ": v", "Bad Name: v", "X-A: a\u0000b", "X-A: line\nbreak"])("refuses %j", (value) => {
    expect(() => parseHeaderFlag(value)).toThrow(UsageError);
  });

  it("masks credentials but keeps the scheme", () => {
    expect(maskHeaders({ authorization: "Basic dXNlcjpwYXNz", "proxy-authorization": "Bearer t", cookie: "s=1", "x-a": "b" })).toEqual({
      authorization: "Basic ••••••",
      "proxy-authorization": "Bearer ••••••",
      cookie: "••••••",
      "x-a": "b",
    });
  });
});

describe("resolveTarget / requestPath", () => {
  it("--to wins over SINCH_HOOKS_TARGET; an empty variable is unset", () => {
    expect(resolveTarget("http://a.test/x", { SINCH_HOOKS_TARGET: "http://b.test/" }).href).toBe("http://a.test/x");
    expect(resolveTarget(undefined, { SINCH_HOOKS_TARGET: "http://b.test/y" }).href).toBe("http://b.test/y");
    expect(() => resolveTarget(undefined, { SINCH_HOOKS_TARGET: "" })).toThrow(/missing --to/);
    expect(() => resolveTarget(undefined, { SINCH_HOOKS_TARGET: "not a url" })).toThrow(/SINCH_HOOKS_TARGET must be a full URL/);
    expect(() => resolveTarget("ftp://x/", {})).toThrow(/--to must use http or https/);
  });

  it.each([
    ["http://h/app", undefined, false, "/app"],
    ["http://h/app", "/sinch", false, "/app"],
    ["http://h/app", "/sinch", true, "/app/sinch"],
    ["http://h/app/", "/sinch", true, "/app/sinch"],
    ["http://h/app?k=1", "/sinch", true, "/app/sinch?k=1"],
    ["http://h", "/sinch", true, "/sinch"],
    ["http://h/app", "/", true, "/app"],
    ["http://h/app", "sinch", true, "/app/sinch"],
  ])("%s + %s (append %s) → %s", (to, fixture, append, expected) => {
    expect(requestPath(new URL(to), fixture, append)).toBe(expected);
  });
});

describe("createAuthenticator", () => {
  const body = Buffer.from('{"type":"mo_text"}');

  it("HMAC: signs the given bytes, fresh nonce per call", async () => {
    const auth = createAuthenticator({ hmacSecret: "s" }, { now: Date.now });
    const a = await auth.headersFor(body);
    const b = await auth.headersFor(body);
    expect(a["x-sinch-webhook-signature-nonce"]).not.toBe(b["x-sinch-webhook-signature-nonce"]);
    for (const h of [a, b]) expect(verifyHmac({ secret: "s", body, headers: h, nowMs: Date.now() }).ok).toBe(true);
    expect(verifyHmac({ secret: "s", body: Buffer.from(`${body.toString()} `), headers: a, nowMs: Date.now() }).ok).toBe(false);
    expect(auth.describe()).toBe("HMAC");
  });

  it("HMAC with fixed nonce and timestamp is reproducible", async () => {
    const auth = createAuthenticator({ hmacSecret: "s", nonce: "n", timestamp: 1700000000 }, { now: Date.now });
    expect(await auth.headersFor(body)).toEqual(await auth.headersFor(body));
    expect(auth.describe()).toBe("HMAC (fixed nonce/timestamp)");
  });

  it("Basic, custom headers, and a description without secrets", async () => {
    const auth = createAuthenticator({ basic: { user: "u", password: "p4ss" }, headers: { "x-env": "ci" } }, { now: Date.now });
    expect(await auth.headersFor(body)).toEqual({ "content-type": "application/json", "x-env": "ci", authorization: basicAuthorization("u", "p4ss") });
    expect(auth.describe()).toBe("Basic (user u) + 1 custom header(s)");
    expect(auth.describe()).not.toContain("p4ss");
    expect(createAuthenticator({}, { now: Date.now }).describe()).toBe("none");
  });

  it("OAuth: one token request for many calls; invalidateToken fetches a new one", async () => {
    const tokens = await new TokenServer({ clientId: "c", clientSecret: "sec" }).start();
    stops.push(tokens);
    const auth = createAuthenticator({ oauth: { tokenUrl: tokens.url, clientId: "c", clientSecret: "sec" } }, { now: Date.now });
    const all = await Promise.all([auth.headersFor(body), auth.headersFor(body), auth.headersFor(body)]);
    expect(tokens.requests).toBe(1);
    expect(checkBearer(all[0]!.authorization, tokens.store, Date.now())).toEqual({ ok: true });
    auth.invalidateToken();
    const again = await auth.headersFor(body);
    expect(tokens.requests).toBe(2);
    expect(again.authorization).not.toBe(all[0]!.authorization);
  });

  it("OAuth: a token that expires within 30 s is fetched again", async () => {
    const tokens = await new TokenServer({ clientId: "c", clientSecret: "sec" }, { ttlSeconds: 10 }).start();
    stops.push(tokens);
    const auth = createAuthenticator({ oauth: { tokenUrl: tokens.url, clientId: "c", clientSecret: "sec" } }, { now: Date.now });
    await auth.headersFor(body);
    await auth.headersFor(body);
    expect(tokens.requests).toBe(2);
  });

  it("OAuth: a refusing endpoint is a NetworkError without the secret", async () => {
    const tokens = await new TokenServer({ clientId: "c", clientSecret: "right" }).start();
    stops.push(tokens);
    const auth = createAuthenticator({ oauth: { tokenUrl: tokens.url, clientId: "c", clientSecret: "wrong-secret" } }, { now: Date.now });
    const err = await auth.headersFor(body).then(
      () => null,
      (e: unknown) => e as Error & { exitCode: number },
    );
    expect(err?.exitCode).toBe(3);
    expect(err?.message).toContain("HTTP 401");
    expect(err?.message).not.toContain("wrong-secret");
  });
});

describe("createHttpClient", () => {
  it("sends the exact bytes and headers, and reads the answer", async () => {
    const t = await new TargetServer([{ kind: "status", status: 202, body: "accepted" }]).start();
    stops.push(t);
    const client = await createHttpClient(t.url, { timeoutMs: 5_000 });
    const body = Buffer.from([0x7b, 0xff, 0x7d]);
    const res = await client.send({ path: "/p?q=1", headers: { "x-a": "b" }, body });
    await client.close();
    expect(res).toMatchObject({ ok: true, status: 202, body: "accepted" });
    expect(t.received[0]!.body.equals(body)).toBe(true);
    expect(t.received[0]!.url).toBe("/p?q=1");
    expect(t.received[0]!.headers["x-a"]).toBe("b");
  });

  it("classifies refused connections and timeouts", async () => {
    const refused = await createHttpClient(`http://127.0.0.1:${await closedPort()}`, { timeoutMs: 5_000 });
    expect((await refused.send({ path: "/", headers: {}, body: Buffer.from("{}") })).error).toMatchObject({ kind: "refused", code: "ECONNREFUSED" });
    await refused.close();
    const t = await new TargetServer([{ kind: "hang" }]).start();
    stops.push(t);
    const slow = await createHttpClient(t.url, { timeoutMs: 100 });
    expect((await slow.send({ path: "/", headers: {}, body: Buffer.from("{}") })).error).toMatchObject({ kind: "timeout" });
    await slow.close();
  });

  it("aborting the client's signal ends requests in flight and refuses new ones", async () => {
    const t = await new TargetServer([{ kind: "hang" }]).start();
    stops.push(t);
    const controller = new AbortController();
    const client = await createHttpClient(t.url, { timeoutMs: 60_000, signal: controller.signal });
    void t.waitFor(2).then(() => controller.abort());
    // With a 60 s timeout, only the abort can end these within the test's time limit.
    const results = await Promise.all([1, 2].map(() => client.send({ path: "/", headers: {}, body: Buffer.from("{}") })));
    expect(results.map((r) => r.ok)).toEqual([false, false]);
    expect((await client.send({ path: "/", headers: {}, body: Buffer.from("{}") })).ok).toBe(false);
    expect(t.received).toHaveLength(2);
    await client.close();
  });

  it("a request's own signal ends that request in flight", async () => {
    const t = await new TargetServer([{ kind: "hang" }]).start();
    stops.push(t);
    const client = await createHttpClient(t.url, { timeoutMs: 60_000 });
    const controller = new AbortController();
    void t.waitFor(1).then(() => controller.abort());
    const res = await client.send({ path: "/", headers: {}, body: Buffer.from("{}"), signal: controller.signal });
    expect(res.ok).toBe(false);
    await client.close();
  });

  it("readBody: false drains the body unread", async () => {
    const t = await new TargetServer([{ kind: "status", status: 200, body: "ignored" }, { kind: "status", status: 500, body: "kept" }]).start();
    stops.push(t);
    const client = await createHttpClient(t.url, { timeoutMs: 5_000 });
    const a = await client.send({ path: "/", headers: {}, body: Buffer.from("{}"), readBody: (status) => status >= 300 });
    const b = await client.send({ path: "/", headers: {}, body: Buffer.from("{}"), readBody: (status) => status >= 300 });
    await client.close();
    expect([a.status, a.body, b.status, b.body]).toEqual([200, undefined, 500, "kept"]);
  });

  it.each([
    [{ code: "ECONNREFUSED" }, "refused"],
    [{ code: "ECONNRESET" }, "reset"],
    [{ cause: { code: "UND_ERR_SOCKET" } }, "reset"],
    [{ code: "UND_ERR_HEADERS_TIMEOUT" }, "timeout"],
    [{ code: "UND_ERR_CONNECT_TIMEOUT" }, "timeout"],
    [{ code: "ENOTFOUND" }, "dns"],
    [{ message: "weird" }, "other"],
  ])("classifyNetworkError(%j) → %s", (err, kind) => {
    expect(classifyNetworkError(err).kind).toBe(kind);
  });
});
