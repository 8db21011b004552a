/**
 * Property-based fuzzing (issue #7): random JSON and random bytes never throw past a boundary, and every
 * HTTP request to the listener gets an answer. Bounded run counts keep the suite fast.
 */
import fc from "fast-check";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseByteSize, parseCredentials, parseDuration, parsePort, parseSeconds, parseUrl } from "../../src/cli/parse-options.js";
import { SinchHooksError } from "../../src/errors.js";
import { createDedupeTracker } from "../../src/listen/dedupe.js";
import { decide } from "../../src/listen/decide.js";
import { listen, type Listener } from "../../src/listen/index.js";
import { parseRespondSpec } from "../../src/listen/respond.js";
import { summarizeCallback, renderCallbackDetail } from "../../src/render/callback.js";
import { createTheme } from "../../src/render/theme.js";
import { CALLBACK_TYPES } from "../../src/schemas/types.js";
import { loadCallbacks } from "../../src/send/inputs.js";
import { parseSetFlag } from "../../src/send/overrides.js";
import { createNonceCache, signHmac } from "../../src/sign/hmac.js";
import { createTokenStore } from "../../src/sign/oauth.js";
import { parseJson, splitPayloads } from "../../src/validate/parse.js";
import { validateCallback } from "../../src/validate/validate.js";
import { fakeIo } from "../helpers/fake-io.js";

const plain = createTheme(false);
// Payload-shaped values: a real type plus random fields, so the fuzzer reaches past the type dispatch.
const callbackLike = fc.record({ type: fc.constantFrom(...CALLBACK_TYPES, "mo_unknown", ""), rest: fc.dictionary(fc.string(), fc.jsonValue()) }).map(({ type, rest }) => ({ ...rest, type }));
const anyJson = fc.oneof(fc.jsonValue(), callbackLike, fc.constantFrom(null, [], {}, "", 0));

describe("never throws", () => {
  it("validateCallback and the renderers, on random JSON", () => {
    fc.assert(
      fc.property(anyJson, (v) => {
        const r = validateCallback(v);
        expect(typeof r.ok).toBe("boolean");
        expect(r.ok).toBe(r.errors.length === 0);
        expect(typeof summarizeCallback(v, plain)).toBe("string");
        expect(typeof renderCallbackDetail(v, plain, { redact: true })).toBe("string");
      }),
      { numRuns: 1500 },
    );
  });

  it("parseJson and splitPayloads, on random text", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.array(fc.jsonValue().map((v) => JSON.stringify(v))).map((a) => a.join("\n"))), (text) => {
        const p = parseJson(text);
        if (!p.ok) {
          expect(p.line).toBeGreaterThanOrEqual(1);
          expect(p.column).toBeGreaterThanOrEqual(1);
        }
        expect(Array.isArray(splitPayloads(text, "f.json"))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it("the listener's decision, on random bytes and headers", () => {
    const secret = "fuzz-secret-fake";
    const config = { hmac: { secret, toleranceSeconds: 300, strict: false }, strictSchema: false };
    const state = { dedupe: createDedupeTracker(100), nonceCache: createNonceCache({ maxEntries: 100 }), tokenStore: createTokenStore({ ttlSeconds: 60, maxTokens: 10 }) };
    const headerArb = fc.dictionary(fc.constantFrom("x-sinch-webhook-signature", "x-sinch-webhook-signature-nonce", "x-sinch-webhook-signature-timestamp", "x-sinch-webhook-signature-algorithm", "authorization", "content-type", "x-other"), fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }), anyJson.map((v) => new TextEncoder().encode(JSON.stringify(v) ?? ""))), headerArb, fc.constantFrom("POST", "GET", "PUT"), fc.boolean(), (bytes, headers, method, sign) => {
        const body = Buffer.from(bytes);
        const h: Record<string, string | string[]> = { ...headers };
        if (sign) Object.assign(h, signHmac({ secret, body, nonce: "01JFAKENONCEFUZZ0000000001", timestamp: Math.floor(Date.now() / 1000) }));
        for (const oauth of [undefined, { clientId: "c", clientSecret: "s" }]) {
          const d = decide({ method, path: oauth ? "/oauth/token" : "/", headers: h, body }, { ...config, oauth }, state, Date.now());
          const status = d.kind === "callback" || d.kind === "not-allowed" || d.kind === "token" ? d.answer.status : 0;
          expect(status).toBeGreaterThanOrEqual(200);
          expect(status).toBeLessThan(600);
        }
      }),
      { numRuns: 800 },
    );
  });

  it("the fixture loader: resolves or fails with our own error, never a raw exception", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), anyJson.map((v) => JSON.stringify(v) ?? "")), fc.boolean(), async (text, allowInvalid) => {
        try {
          const out = await loadCallbacks(["-"], fakeIo({ stdin: text }), { allowInvalid });
          expect(out.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(SinchHooksError);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("the flag parsers: a value or a UsageError", () => {
    const parsers: ((v: string) => unknown)[] = [
      (v) => parseDuration("--x", v),
      (v) => parseSeconds("--x", v),
      (v) => parseByteSize("--x", v),
      (v) => parsePort("--x", v),
      (v) => parseCredentials("--x", v),
      (v) => parseUrl("--x", v),
      (v) => parseRespondSpec(v),
      (v) => parseSetFlag(v),
    ];
    fc.assert(
      fc.property(fc.string(), (v) => {
        for (const p of parsers) {
          try {
            p(v);
          } catch (err) {
            expect(err).toBeInstanceOf(SinchHooksError);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("every HTTP request gets a response", () => {
  let l: Listener;
  beforeAll(async () => {
    l = await listen({ host: "127.0.0.1", port: 0, maxBodyBytes: 4096, forwardTimeoutMs: 1000, redact: true, oauthTokenTtlSeconds: 60, strictSchema: true, basic: { user: "u", password: "p" } }, () => {});
  });
  afterAll(() => l.close(500));

  it("random bodies, methods and paths", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 6000 }), fc.constantFrom("POST", "PUT", "GET", "DELETE", "PATCH"), fc.webPath(), async (bytes, method, path) => {
        const res = await request(`${l.url}${path.startsWith("/") ? path : `/${path}`}`, { method, body: method === "GET" ? undefined : Buffer.from(bytes), headers: { authorization: "Basic dTpw" } });
        await res.body.dump();
        expect(res.statusCode).toBeGreaterThanOrEqual(200);
        expect(res.statusCode).toBeLessThan(600);
      }),
      { numRuns: 150 },
    );
  });
});
