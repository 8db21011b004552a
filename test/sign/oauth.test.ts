import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { NetworkError } from "../../src/errors.js";
import { basicAuthorization } from "../../src/sign/basic.js";
import {
  checkBearer,
  createTokenCache,
  createTokenStore,
  handleTokenRequest,
  OAUTH_TOKEN_PATH,
  requestAccessToken,
  type AccessToken,
  type TokenRequest,
} from "../../src/sign/oauth.js";

const CLIENT = { clientId: "sinch-client", clientSecret: "Sup3r-S3cret-Value" };
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const FORM = { "content-type": "application/x-www-form-urlencoded" };

function counterRandom(): (n: number) => Uint8Array {
  let i = 0;
  return (n) => new Uint8Array(n).fill(++i);
}

// ---------------------------------------------------------------------------------------------

describe("createTokenStore", () => {
  it("issues opaque 32-byte base64url tokens that check ok until they expire", () => {
    const store = createTokenStore({ ttlSeconds: 60 });
    const { accessToken, expiresIn } = store.issue(NOW);
    expect(accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(accessToken, "base64url")).toHaveLength(32);
    expect(expiresIn).toBe(60);
    expect(store.check(accessToken, NOW)).toEqual({ ok: true });
    expect(store.check(accessToken, NOW + 59_999)).toEqual({ ok: true });
    expect(store.check(accessToken, NOW + 60_000)).toEqual({ ok: false, reason: "expired" });
  });

  it("gives a different token each time and does not know foreign tokens", () => {
    const store = createTokenStore({ ttlSeconds: 60 });
    const a = store.issue(NOW).accessToken;
    const b = store.issue(NOW).accessToken;
    expect(a).not.toBe(b);
    expect(store.check("not-a-token", NOW)).toEqual({ ok: false, reason: "unknown" });
    expect(store.check(`${a}x`, NOW)).toEqual({ ok: false, reason: "unknown" });
  });

  it("uses the injected randomness", () => {
    const store = createTokenStore({ ttlSeconds: 60, random: counterRandom() });
    expect(store.issue(NOW).accessToken).toBe(Buffer.alloc(32, 1).toString("base64url"));
  });

  it("stays bounded: the oldest token is evicted when full", () => {
    const store = createTokenStore({ ttlSeconds: 60, maxTokens: 3 });
    const tokens = Array.from({ length: 10 }, (_, i) => store.issue(NOW + i).accessToken);
    expect(store.size).toBe(3);
    expect(store.check(tokens[0]!, NOW + 10)).toEqual({ ok: false, reason: "unknown" });
    expect(store.check(tokens[6]!, NOW + 10)).toEqual({ ok: false, reason: "unknown" });
    for (const t of tokens.slice(7)) expect(store.check(t, NOW + 10)).toEqual({ ok: true });
  });

  it("rejects a TTL or size below 1", () => {
    expect(() => createTokenStore({ ttlSeconds: 0 })).toThrow(RangeError);
    expect(() => createTokenStore({ ttlSeconds: 60, maxTokens: 0 })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------

function tokenRequest(overrides: Partial<Omit<TokenRequest, "body">> & { body?: string } = {}): TokenRequest {
  return {
    method: overrides.method ?? "POST",
    headers: overrides.headers ?? { ...FORM, authorization: basicAuthorization(CLIENT.clientId, CLIENT.clientSecret) },
    body: Buffer.from(overrides.body ?? "grant_type=client_credentials"),
  };
}

const basic = basicAuthorization(CLIENT.clientId, CLIENT.clientSecret);
const formCreds = `client_id=${CLIENT.clientId}&client_secret=${CLIENT.clientSecret}`;

describe("handleTokenRequest (RFC 6749 §4.4, §5)", () => {
  it("issues a Bearer token for valid Basic client credentials", () => {
    const store = createTokenStore({ ttlSeconds: 600, random: counterRandom() });
    const res = handleTokenRequest(tokenRequest(), CLIENT, store, NOW);
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.headers.pragma).toBe("no-cache");
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(body).toEqual({ access_token: Buffer.alloc(32, 1).toString("base64url"), token_type: "Bearer", expires_in: 600 });
    expect(store.check(body.access_token as string, NOW)).toEqual({ ok: true });
  });

  const cases: Array<[string, TokenRequest, number, string | null]> = [
    ["GET", tokenRequest({ method: "GET" }), 405, "invalid_request"],
    ["PUT", tokenRequest({ method: "PUT" }), 405, "invalid_request"],
    ["JSON content type", tokenRequest({ headers: { "content-type": "application/json", authorization: basic }, body: '{"grant_type":"client_credentials"}' }), 400, "invalid_request"],
    ["no content type", tokenRequest({ headers: { authorization: basic } }), 400, "invalid_request"],
    ["content type with charset, mixed case", tokenRequest({ headers: { "Content-Type": "Application/X-WWW-Form-Urlencoded; charset=UTF-8", Authorization: basic } }), 200, null],
    ["no client authentication", tokenRequest({ headers: FORM }), 401, "invalid_client"],
    ["wrong Basic secret", tokenRequest({ headers: { ...FORM, authorization: basicAuthorization(CLIENT.clientId, "nope") } }), 401, "invalid_client"],
    ["wrong Basic client id", tokenRequest({ headers: { ...FORM, authorization: basicAuthorization("other", CLIENT.clientSecret) } }), 401, "invalid_client"],
    ["Bearer instead of Basic", tokenRequest({ headers: { ...FORM, authorization: "Bearer abc" } }), 401, "invalid_client"],
    ["malformed Basic", tokenRequest({ headers: { ...FORM, authorization: "Basic ***" } }), 401, "invalid_client"],
    ["credentials in the form body", tokenRequest({ headers: FORM, body: `grant_type=client_credentials&${formCreds}` }), 200, null],
    ["wrong secret in the form body", tokenRequest({ headers: FORM, body: `grant_type=client_credentials&client_id=${CLIENT.clientId}&client_secret=x` }), 401, "invalid_client"],
    ["client_id without client_secret", tokenRequest({ headers: FORM, body: `grant_type=client_credentials&client_id=${CLIENT.clientId}` }), 401, "invalid_client"],
    ["empty client_secret counts as omitted", tokenRequest({ headers: FORM, body: `grant_type=client_credentials&client_id=${CLIENT.clientId}&client_secret=` }), 401, "invalid_client"],
    ["Basic and form secret together", tokenRequest({ body: `grant_type=client_credentials&${formCreds}` }), 400, "invalid_request"],
    ["Basic plus client_id in the body is fine", tokenRequest({ body: `grant_type=client_credentials&client_id=${CLIENT.clientId}` }), 200, null],
    ["repeated grant_type", tokenRequest({ body: "grant_type=client_credentials&grant_type=client_credentials" }), 400, "invalid_request"],
    ["missing grant_type", tokenRequest({ body: "scope=sms" }), 400, "invalid_request"],
    ["empty grant_type", tokenRequest({ body: "grant_type=" }), 400, "invalid_request"],
    ["password grant", tokenRequest({ body: "grant_type=password&username=a&password=b" }), 400, "unsupported_grant_type"],
    ["authorization_code grant", tokenRequest({ body: "grant_type=authorization_code&code=x" }), 400, "unsupported_grant_type"],
    ["unsupported grant without authentication → authentication first", tokenRequest({ headers: FORM, body: "grant_type=password" }), 401, "invalid_client"],
    ["scope is ignored", tokenRequest({ body: "grant_type=client_credentials&scope=callbacks" }), 200, null],
  ];

  it.each(cases)("%s → %i %s", (_, req, status, error) => {
    const store = createTokenStore({ ttlSeconds: 60 });
    const res = handleTokenRequest(req, CLIENT, store, NOW);
    expect(res.status).toBe(status);
    expect(res.headers["cache-control"]).toBe("no-store");
    const body = JSON.parse(res.body) as Record<string, unknown>;
    if (error === null) {
      expect(body.token_type).toBe("Bearer");
      expect(store.size).toBe(1);
    } else {
      expect(body.error).toBe(error);
      expect(typeof body.error_description).toBe("string");
      expect(body).not.toHaveProperty("access_token");
      expect(store.size).toBe(0);
      expect(res.body).not.toContain(CLIENT.clientSecret);
    }
    if (status === 401) expect(res.headers["www-authenticate"]).toBe('Basic realm="sinch-hooks"');
    else expect(res.headers).not.toHaveProperty("www-authenticate");
    if (status === 405) expect(res.headers.allow).toBe("POST");
  });

  it("accepts RFC 6749 §2.3.1 form-encoded Basic credentials as well as raw ones", () => {
    const special = { clientId: "sinch client", clientSecret: "p@ss w+rd/%" };
    const store = createTokenStore({ ttlSeconds: 60 });
    const raw = basicAuthorization(special.clientId, special.clientSecret);
    const encoded = basicAuthorization(encodeURIComponent(special.clientId).replace(/%20/g, "+"), encodeURIComponent(special.clientSecret));
    for (const authorization of [raw, encoded]) {
      expect(handleTokenRequest(tokenRequest({ headers: { ...FORM, authorization } }), special, store, NOW).status).toBe(200);
    }
    const wrong = basicAuthorization(special.clientId, "p@ss w rd/%");
    expect(handleTokenRequest(tokenRequest({ headers: { ...FORM, authorization: wrong } }), special, store, NOW).status).toBe(401);
  });

  it("uses the path /oauth/token", () => {
    expect(OAUTH_TOKEN_PATH).toBe("/oauth/token");
  });
});

// ---------------------------------------------------------------------------------------------

describe("checkBearer (RFC 6750 §2.1)", () => {
  const store = createTokenStore({ ttlSeconds: 60 });
  const token = store.issue(NOW).accessToken;

  it.each([
    [`Bearer ${token}`, NOW],
    [`bearer ${token}`, NOW],
    [`  BEARER   ${token}  `, NOW + 59_000],
  ])("%j is accepted", (header, now) => {
    expect(checkBearer(header, store, now)).toEqual({ ok: true });
  });

  it.each([
    [undefined, NOW, "missing"],
    ["", NOW, "missing"],
    ["Bearer", NOW, "missing"],
    ["Bearer    ", NOW, "missing"],
    [basicAuthorization("a", "b"), NOW, "wrong_scheme"],
    [token, NOW, "wrong_scheme"],
    ["Bearer not-issued-here", NOW, "unknown"],
    [`Bearer ${token} extra`, NOW, "unknown"],
    [`Bearer ${token}`, NOW + 60_000, "expired"],
  ] as const)("%j at %i → %s", (header, now, reason) => {
    const result = checkBearer(header, store, now);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.message.length).toBeGreaterThan(0);
      expect(result.message).not.toContain(token);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// requestAccessToken against real HTTP servers on 127.0.0.1.

const servers: Server[] = [];

async function startServer(handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, Buffer.concat(chunks), res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${OAUTH_TOKEN_PATH}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
});

/** A server that IS the tool's own token endpoint: client and server sides tested against each other. */
async function startTokenEndpoint(store = createTokenStore({ ttlSeconds: 900 })): Promise<{ url: string; seen: IncomingMessage[]; bodies: string[] }> {
  const seen: IncomingMessage[] = [];
  const bodies: string[] = [];
  const url = await startServer((req, body, res) => {
    seen.push(req);
    bodies.push(body.toString("utf8"));
    const answer = req.url === OAUTH_TOKEN_PATH ? handleTokenRequest({ method: req.method ?? "", headers: req.headers, body }, CLIENT, store, NOW) : { status: 404, headers: {}, body: "" };
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  return { url, seen, bodies };
}

async function tokenFailure(promise: Promise<unknown>): Promise<NetworkError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NetworkError);
  const ne = err as NetworkError;
  expect(ne.code).toBe("SH_OAUTH_TOKEN");
  expect(ne.exitCode).toBe(3);
  expect(ne.message).not.toContain(CLIENT.clientSecret);
  expect(ne.message).not.toContain("\n");
  expect(ne.hint ?? "").not.toContain(CLIENT.clientSecret);
  expect(ne.hint?.length ?? 0).toBeGreaterThan(0);
  return ne;
}

describe("requestAccessToken (client-credentials, Decisions (e))", () => {
  it("obtains a token the tool's own endpoint accepts, sending Basic + grant_type=client_credentials", async () => {
    const store = createTokenStore({ ttlSeconds: 900 });
    const endpoint = await startTokenEndpoint(store);
    const token = await requestAccessToken({ ...CLIENT, tokenUrl: endpoint.url }, { now: () => NOW });

    expect(token.tokenType).toBe("Bearer");
    expect(token.expiresAt).toBe(NOW + 900_000);
    expect(checkBearer(`Bearer ${token.accessToken}`, store, NOW)).toEqual({ ok: true });

    const req = endpoint.seen[0]!;
    expect(req.method).toBe("POST");
    expect(req.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(req.headers.authorization).toBe(basicAuthorization(CLIENT.clientId, CLIENT.clientSecret));
    expect(endpoint.bodies[0]).toBe("grant_type=client_credentials");
  });

  it("reads expires_in given as a string, and null when it is absent", async () => {
    const replies = [{ access_token: "t1", token_type: "bearer", expires_in: "120" }, { access_token: "t2" }];
    const url = await startServer((_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(replies.shift()));
    });
    expect(await requestAccessToken({ ...CLIENT, tokenUrl: url }, { now: () => NOW })).toEqual({ accessToken: "t1", tokenType: "bearer", expiresAt: NOW + 120_000 });
    expect(await requestAccessToken({ ...CLIENT, tokenUrl: url }, { now: () => NOW })).toEqual({ accessToken: "t2", tokenType: "Bearer", expiresAt: null });
  });

  it("401 invalid_client: reports the status, the OAuth error and its description", async () => {
    const endpoint = await startTokenEndpoint();
    const err = await tokenFailure(requestAccessToken({ ...CLIENT, clientSecret: `${CLIENT.clientSecret}-wrong`, tokenUrl: endpoint.url }));
    expect(err.message).toMatch(/^OAuth token URL http:\/\/127\.0\.0\.1:\d+\/oauth\/token answered HTTP 401 invalid_client: client authentication failed$/);
    expect(err.hint).toMatch(/client id and secret/);
  });

  it("400 unsupported_grant_type explains the client-credentials assumption", async () => {
    const url = await startServer((_req, _body, res) => {
      res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "unsupported_grant_type" }));
    });
    const err = await tokenFailure(requestAccessToken({ ...CLIENT, tokenUrl: url }));
    expect(err.message).toMatch(/HTTP 400 unsupported_grant_type$/);
    expect(err.hint).toMatch(/client_credentials.*assumption/);
  });

  it("never repeats the secret, even when the server echoes it", async () => {
    const url = await startServer((req, _body, res) => {
      res.writeHead(401, { "content-type": "application/json" }).end(
        JSON.stringify({ error: "invalid_client", error_description: `bad secret ${CLIENT.clientSecret} in ${req.headers.authorization}` }),
      );
    });
    const err = await tokenFailure(requestAccessToken({ ...CLIENT, tokenUrl: url }));
    expect(err.message).toContain("bad secret *** in Basic ***");
    expect(err.message).not.toContain(basicAuthorization(CLIENT.clientId, CLIENT.clientSecret).slice(6));
  });

  it("a 500 with an HTML body", async () => {
    const url = await startServer((_req, _body, res) => {
      res.writeHead(500, { "content-type": "text/html" }).end("<h1>oops</h1>");
    });
    const err = await tokenFailure(requestAccessToken({ ...CLIENT, tokenUrl: url }));
    expect(err.message).toMatch(/answered HTTP 500$/);
    expect(err.hint).toMatch(/token server failed/);
  });

  it("a 200 that is not JSON", async () => {
    const url = await startServer((_req, _body, res) => {
      res.writeHead(200, { "content-type": "text/plain" }).end("access_token=abc");
    });
    const err = await tokenFailure(requestAccessToken({ ...CLIENT, tokenUrl: url }));
    expect(err.message).toMatch(/answered HTTP 200 but the body is not JSON$/);
    expect(err.hint).toContain("access_token");
  });

  it("a 200 JSON reply without access_token", async () => {
    const url = await startServer((_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token_type: "Bearer", expires_in: 60 }));
    });
    const err = await tokenFailure(requestAccessToken({ ...CLIENT, tokenUrl: url }));
    expect(err.message).toMatch(/answered HTTP 200 without an access_token$/);
  });

  it("connection refused (a port that was just closed)", async () => {
    const url = await startServer(() => {});
    await closeServer(servers.pop()!);
    const err = await tokenFailure(requestAccessToken({ ...CLIENT, tokenUrl: url }));
    expect(err.message).toMatch(/^OAuth token request to http:\/\/127\.0\.0\.1:\d+\/oauth\/token failed: connection refused$/);
  });

  it("times out when the server never answers", async () => {
    const url = await startServer(() => {
      /* never respond */
    });
    const started = Date.now();
    const err = await tokenFailure(requestAccessToken({ ...CLIENT, tokenUrl: url, timeoutMs: 300 }));
    expect(err.message).toMatch(/timed out after 300 ms$/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("keeps user-info and query strings of the token URL out of messages", async () => {
    const url = await startServer((_req, _body, res) => {
      res.writeHead(403).end();
    });
    const withSecrets = url.replace("http://", `http://user:${CLIENT.clientSecret}@`) + "?key=hidden-query";
    const err = await tokenFailure(requestAccessToken({ ...CLIENT, tokenUrl: withSecrets }));
    expect(err.message).not.toContain("hidden-query");
    expect(err.message).toMatch(/HTTP 403$/);
  });
});

// ---------------------------------------------------------------------------------------------

function fakeFetcher(expiresInMs: number | null, clock: { now: number }) {
  let calls = 0;
  const fetcher = async (): Promise<AccessToken> => {
    calls++;
    return { accessToken: `t${calls}`, tokenType: "Bearer", expiresAt: expiresInMs === null ? null : clock.now + expiresInMs };
  };
  return { fetcher, calls: () => calls };
}

describe("createTokenCache", () => {
  it("reuses the token until 30 s before it expires", async () => {
    const clock = { now: NOW };
    const f = fakeFetcher(120_000, clock);
    const cache = createTokenCache(f.fetcher, () => clock.now);
    expect((await cache.get()).accessToken).toBe("t1");
    clock.now = NOW + 89_999;
    expect((await cache.get()).accessToken).toBe("t1");
    clock.now = NOW + 90_000;
    expect((await cache.get()).accessToken).toBe("t2");
    expect(f.calls()).toBe(2);
  });

  it("keeps a token without expiry until invalidated", async () => {
    const clock = { now: NOW };
    const f = fakeFetcher(null, clock);
    const cache = createTokenCache(f.fetcher, () => clock.now);
    await cache.get();
    clock.now = NOW + 10 * 86_400_000;
    expect((await cache.get()).accessToken).toBe("t1");
    cache.invalidate();
    expect((await cache.get()).accessToken).toBe("t2");
  });

  it("shares one request between concurrent callers", async () => {
    const clock = { now: NOW };
    const f = fakeFetcher(60_000_000, clock);
    const cache = createTokenCache(f.fetcher, () => clock.now);
    const tokens = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(tokens.map((t) => t.accessToken)).toEqual(["t1", "t1", "t1"]);
    expect(f.calls()).toBe(1);
  });

  it("does not cache a failure", async () => {
    let calls = 0;
    const cache = createTokenCache(async () => {
      calls++;
      if (calls === 1) throw new NetworkError("boom", { code: "SH_OAUTH_TOKEN" });
      return { accessToken: "ok", tokenType: "Bearer", expiresAt: null };
    });
    await expect(cache.get()).rejects.toThrow("boom");
    expect((await cache.get()).accessToken).toBe("ok");
  });

  it("works end to end with requestAccessToken against a real endpoint", async () => {
    const endpoint = await startTokenEndpoint();
    const cache = createTokenCache(() => requestAccessToken({ ...CLIENT, tokenUrl: endpoint.url }, { now: () => NOW }), () => NOW);
    const a = await cache.get();
    const b = await cache.get();
    expect(a).toBe(b);
    expect(endpoint.seen).toHaveLength(1);
  });
});
