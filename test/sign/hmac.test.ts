import { describe, expect, it } from "vitest";
import { createNonceCache, HMAC_ALGORITHM, HMAC_HEADERS, quoteUntrusted, signHmac, verifyHmac, type HmacProblem } from "../../src/sign/hmac.js";
import { timingSafeEqual } from "../../src/sign/timing-safe-equal.js";

// Test vectors from shared/reference/sinch-callbacks.md §4.3, copied byte for byte (one line, no
// trailing newline). The UTF-8 body's emoji is U+1F44B, four UTF-8 bytes.
const VECTORS = [
  {
    name: "official SMS",
    secret: "SMSWebhooksSecret",
    nonce: "01JHFFHWYY7HSS4FWTMDTQEK8V",
    timestamp: "1736760161",
    body: '{"at":"2025-01-13T09:22:40.914Z","batch_id":"01JHFFHQ0P99JPPNQPJDV7JTBP","client_reference":"a client reference","code":0,"operator_status_at":"2025-01-13T09:22:00Z","recipient":"33662162466","status":"Delivered","type":"recipient_delivery_report_sms"}',
    signature: "ZoHei66PPN/kZjw7hFVfGhJOnml3iGNCMWoyQVcE5o0=",
  },
  {
    name: "official Conversation",
    secret: "foo_secret1234",
    nonce: "01FJA8B4A7BM43YGWSG9GBV067",
    timestamp: "1634579353",
    body: '{"app_id":"","accepted_time":"2021-10-18T17:49:13.813615Z","project_id":"e2df3a34-a71b-4448-9db5-a8d2baad28e4","contact_create_notification":{"contact":{"id":"01FJA8B466Y0R2GNXD78MD9SM1","channel_identities":[{"channel":"SMS","identity":"48123456789","app_id":""}],"display_name":"New Test Contact","email":"new.contact@email.com","external_id":"","metadata":"","language":"EN_US"}},"message_metadata":""}',
    signature: "6bpJoRmFoXVjfJIVglMoJzYXxnoxRujzR4k2GOXewOE=",
  },
  {
    name: "derived UTF-8",
    secret: "KayakingTheSwell",
    nonce: "01W4FFL35P4NC4K35NONCE0001",
    timestamp: "1717660357",
    body: '{"id":"01W4FFL35P4NC4K35SMSBATCH8","from":"12015555555","to":"12017777777","body":"Hello John! 👋","type":"mo_text","operator_id":"311071","received_at":"2024-06-06T07:52:37.386Z"}',
    signature: "cOc4M9MOv4+LVkvkpN2ZdixYMak7o3o6K4FRhNiXrTs=",
  },
] as const;
const [SMS] = VECTORS;

/** "now" exactly at the SMS vector's timestamp. */
const SMS_NOW_MS = Number(SMS.timestamp) * 1000;

function smsHeaders(): Record<string, string> {
  return {
    [HMAC_HEADERS.signature]: SMS.signature,
    [HMAC_HEADERS.nonce]: SMS.nonce,
    [HMAC_HEADERS.timestamp]: SMS.timestamp,
    [HMAC_HEADERS.algorithm]: HMAC_ALGORITHM,
  };
}

function codes(problems: HmacProblem[]): string[] {
  return problems.map((p) => p.code);
}

describe("signHmac known answers (§4.3)", () => {
  it("the derived vector's body really carries a 4-byte emoji", () => {
    expect(Buffer.from(VECTORS[2].body, "utf8").includes(Buffer.from([0xf0, 0x9f, 0x91, 0x8b]))).toBe(true);
  });

  for (const v of VECTORS) {
    it(`${v.name}: string body gives ${v.signature}`, () => {
      const headers = signHmac({ secret: v.secret, body: v.body, nonce: v.nonce, timestamp: v.timestamp });
      expect(headers).toEqual({
        "x-sinch-webhook-signature": v.signature,
        "x-sinch-webhook-signature-nonce": v.nonce,
        "x-sinch-webhook-signature-timestamp": v.timestamp,
        "x-sinch-webhook-signature-algorithm": "HmacSHA256",
      });
    });

    it(`${v.name}: byte body and numeric timestamp give the same signature`, () => {
      const headers = signHmac({ secret: v.secret, body: new Uint8Array(Buffer.from(v.body, "utf8")), nonce: v.nonce, timestamp: Number(v.timestamp) });
      expect(headers[HMAC_HEADERS.signature]).toBe(v.signature);
      expect(headers[HMAC_HEADERS.timestamp]).toBe(v.timestamp);
    });

    it(`${v.name}: verifies as valid at its own timestamp`, () => {
      const headers = signHmac({ secret: v.secret, body: v.body, nonce: v.nonce, timestamp: v.timestamp });
      const result = verifyHmac({ secret: v.secret, body: Buffer.from(v.body), headers, nowMs: Number(v.timestamp) * 1000 });
      expect(result).toEqual({ ok: true, signatureValid: true, problems: [] });
    });
  }

  it("a trailing newline is part of the signed bytes", () => {
    const withNewline = signHmac({ secret: SMS.secret, body: `${SMS.body}\n`, nonce: SMS.nonce, timestamp: SMS.timestamp });
    expect(withNewline[HMAC_HEADERS.signature]).not.toBe(SMS.signature);
  });

  it("refuses timestamps that are not whole epoch seconds", () => {
    expect(() => signHmac({ secret: "s", body: "{}", nonce: "n", timestamp: 1.5 })).toThrow(RangeError);
    expect(() => signHmac({ secret: "s", body: "{}", nonce: "n", timestamp: -1 })).toThrow(RangeError);
    expect(() => signHmac({ secret: "s", body: "{}", nonce: "n", timestamp: "1736760161.0" })).toThrow(RangeError);
    expect(() => signHmac({ secret: "s", body: "{}", nonce: "n", timestamp: "" })).toThrow(RangeError);
  });
});

describe("verifyHmac", () => {
  describe("missing headers", () => {
    for (const name of Object.values(HMAC_HEADERS)) {
      it(`without ${name}: missing_header naming it`, () => {
        const headers: Record<string, string> = smsHeaders();
        delete headers[name];
        const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers, nowMs: SMS_NOW_MS });
        expect(result.ok).toBe(false);
        expect(result.signatureValid).toBe(false);
        expect(result.problems).toEqual([{ code: "missing_header", header: name, message: `missing header ${name}` }]);
      });
    }

    it("an empty header value counts as missing", () => {
      const headers = { ...smsHeaders(), [HMAC_HEADERS.nonce]: "" };
      const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers, nowMs: SMS_NOW_MS });
      expect(result.problems).toMatchObject([{ code: "missing_header", header: HMAC_HEADERS.nonce }]);
    });

    it("names the first missing header and lists the others", () => {
      const headers: Record<string, string> = smsHeaders();
      delete headers[HMAC_HEADERS.timestamp];
      delete headers[HMAC_HEADERS.algorithm];
      const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers, nowMs: SMS_NOW_MS });
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatchObject({ code: "missing_header", header: HMAC_HEADERS.timestamp });
      expect(result.problems[0]!.message).toBe(`missing header ${HMAC_HEADERS.timestamp} (also missing: ${HMAC_HEADERS.algorithm})`);
    });

    it("with no signature headers at all, says HMAC may not be configured", () => {
      const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: { "content-type": "application/json" }, nowMs: SMS_NOW_MS });
      expect(result.problems[0]).toMatchObject({ code: "missing_header", header: HMAC_HEADERS.signature });
      expect(result.problems[0]!.message).toMatch(/^missing header x-sinch-webhook-signature \(no .*HMAC configured/);
    });
  });

  it.each(["HmacSHA1", "HmacSHA512", "hmacsha256", "HMACSHA256", " HmacSHA256"])("algorithm %j: wrong_algorithm", (algorithm) => {
    const headers = { ...smsHeaders(), [HMAC_HEADERS.algorithm]: algorithm };
    const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers, nowMs: SMS_NOW_MS });
    expect(result.signatureValid).toBe(false);
    expect(result.problems).toEqual([{ code: "wrong_algorithm", algorithm, message: `algorithm ${JSON.stringify(algorithm)} is not HmacSHA256` }]);
  });

  it.each(["1736760161.5", "-1736760161", "1.7e9", "2025-01-13T09:22:41Z", "abc", "99999999999999999999", " 1736760161"])("timestamp %j: bad_timestamp", (timestamp) => {
    const headers = { ...smsHeaders(), [HMAC_HEADERS.timestamp]: timestamp };
    const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers, nowMs: SMS_NOW_MS });
    expect(result.signatureValid).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: "bad_timestamp", value: timestamp });
    expect(result.problems[0]!.message).toContain("is not Unix epoch seconds");
  });

  it("escapes control characters of an untrusted header in the message", () => {
    const algorithm = "Hmac\u001b[31m\u009bSHA";
    const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: { ...smsHeaders(), [HMAC_HEADERS.algorithm]: algorithm }, nowMs: SMS_NOW_MS });
    const message = result.problems[0]!.message;
    const controls = [...message].filter((c) => {
      const n = c.codePointAt(0)!;
      return n < 0x20 || (n >= 0x7f && n <= 0x9f);
    });
    expect(controls).toEqual([]);
    expect(message).toContain("\\u001b");
    expect(message).toContain("\\u009b");
    expect(quoteUntrusted("x".repeat(100))).toHaveLength(64 + 1 + 2); // 64 chars, an ellipsis, two quotes
  });

  it("tampered body: bad_signature", () => {
    const tampered = SMS.body.replace('"Delivered"', '"Failed"');
    const result = verifyHmac({ secret: SMS.secret, body: tampered, headers: smsHeaders(), nowMs: SMS_NOW_MS });
    expect(result).toEqual({
      ok: false,
      signatureValid: false,
      problems: [{ code: "bad_signature", message: "signature does not match the body (was the body re-serialized, or is the secret wrong?)" }],
    });
  });

  it("re-serialized (pretty-printed) body: bad_signature", () => {
    const pretty = JSON.stringify(JSON.parse(SMS.body), null, 2);
    const result = verifyHmac({ secret: SMS.secret, body: pretty, headers: smsHeaders(), nowMs: SMS_NOW_MS });
    expect(codes(result.problems)).toEqual(["bad_signature"]);
  });

  it("wrong secret: bad_signature", () => {
    const result = verifyHmac({ secret: "SMSWebhooksSecreT", body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS });
    expect(codes(result.problems)).toEqual(["bad_signature"]);
  });

  it("nonce or timestamp changed after signing: bad_signature", () => {
    const nonceChanged = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: { ...smsHeaders(), [HMAC_HEADERS.nonce]: "01JHFFHWYY7HSS4FWTMDTQEK8W" }, nowMs: SMS_NOW_MS });
    expect(codes(nonceChanged.problems)).toEqual(["bad_signature"]);
    const tsChanged = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: { ...smsHeaders(), [HMAC_HEADERS.timestamp]: "1736760162" }, nowMs: SMS_NOW_MS });
    expect(codes(tsChanged.problems)).toEqual(["bad_signature"]);
  });

  it("a truncated or padded signature header: bad_signature (no length-based crash)", () => {
    for (const sig of [SMS.signature.slice(0, 10), `${SMS.signature}=`, `${SMS.signature} `, "x"]) {
      const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: { ...smsHeaders(), [HMAC_HEADERS.signature]: sig }, nowMs: SMS_NOW_MS });
      expect(codes(result.problems)).toEqual(["bad_signature"]);
    }
  });

  describe("timestamp freshness (valid signature)", () => {
    it("exactly at the tolerance edge is fresh", () => {
      for (const delta of [-300, 300]) {
        const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS + delta * 1000 });
        expect(result.ok).toBe(true);
      }
    });

    it("320 s old: stale_timestamp with a positive age, signature still valid", () => {
      const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS + 320_500 });
      expect(result.ok).toBe(false);
      expect(result.signatureValid).toBe(true);
      expect(result.problems).toEqual([{ code: "stale_timestamp", ageSeconds: 320, message: "timestamp is 320 s old (tolerance 300 s)" }]);
    });

    it("320 s in the future: stale_timestamp with a negative age", () => {
      const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS - 320_000 });
      expect(result.signatureValid).toBe(true);
      expect(result.problems).toEqual([{ code: "stale_timestamp", ageSeconds: -320, message: "timestamp is 320 s in the future (tolerance 300 s)" }]);
    });

    it("a custom tolerance is honoured", () => {
      const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS + 11_000, toleranceSeconds: 10 });
      expect(result.problems).toEqual([{ code: "stale_timestamp", ageSeconds: 11, message: "timestamp is 11 s old (tolerance 10 s)" }]);
    });

    it("tolerance 0 disables the timestamp check", () => {
      const yearsLater = Date.UTC(2030, 0, 1);
      expect(verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: yearsLater }).problems).toMatchObject([{ code: "stale_timestamp" }]);
      expect(verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: yearsLater, toleranceSeconds: 0 })).toEqual({ ok: true, signatureValid: true, problems: [] });
    });

    it("a millisecond timestamp is reported as stale with a hint", () => {
      const tsMs = String(SMS_NOW_MS);
      const headers = signHmac({ secret: SMS.secret, body: SMS.body, nonce: SMS.nonce, timestamp: tsMs });
      const result = verifyHmac({ secret: SMS.secret, body: SMS.body, headers, nowMs: SMS_NOW_MS });
      expect(result.signatureValid).toBe(true);
      expect(result.problems[0]!.message).toMatch(/in the future .*looks like milliseconds/);
    });

    it("a stale timestamp is not checked when the signature is bad", () => {
      const result = verifyHmac({ secret: "wrong", body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS + 3_600_000 });
      expect(codes(result.problems)).toEqual(["bad_signature"]);
    });

    it("rejects a negative tolerance as a programming error", () => {
      expect(() => verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS, toleranceSeconds: -1 })).toThrow(RangeError);
    });
  });

  describe("nonce reuse", () => {
    it("detects a reused nonce within the window, then forgets it after the window", () => {
      const nonceCache = createNonceCache();
      const first = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS, nonceCache });
      expect(first.ok).toBe(true);
      expect(nonceCache.size).toBe(1);

      const again = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS + 12_000, nonceCache });
      expect(again.ok).toBe(false);
      expect(again.signatureValid).toBe(true);
      expect(again.problems).toEqual([{ code: "reused_nonce", nonce: SMS.nonce, firstSeenSecondsAgo: 12, message: `nonce ${SMS.nonce} was already used 12 s ago` }]);

      // A third use still reports the time of the FIRST use.
      const third = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS + 40_000, nonceCache });
      expect(third.problems).toMatchObject([{ code: "reused_nonce", firstSeenSecondsAgo: 40 }]);

      // 301 s after the first use the nonce has left the 300 s window: the same nonce, signed again
      // with a fresh timestamp, is accepted.
      const resigned = signHmac({ secret: SMS.secret, body: SMS.body, nonce: SMS.nonce, timestamp: Number(SMS.timestamp) + 301 });
      const later = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: resigned, nowMs: SMS_NOW_MS + 301_000, nonceCache });
      expect(later.ok).toBe(true);
    });

    it("with the default tolerance, a replay after the window is stale but no longer a reused nonce", () => {
      const nonceCache = createNonceCache();
      verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS, nonceCache });
      const later = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS + 301_000, nonceCache });
      expect(codes(later.problems)).toEqual(["stale_timestamp"]);
    });

    it("stale and reused are both reported", () => {
      const nonceCache = createNonceCache();
      verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS + 250_000, nonceCache });
      const replay = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS + 320_000, nonceCache });
      expect(codes(replay.problems)).toEqual(["stale_timestamp", "reused_nonce"]);
    });

    it("with tolerance 0, nonces are remembered without a time limit", () => {
      const nonceCache = createNonceCache();
      verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS, nonceCache, toleranceSeconds: 0 });
      const dayLater = verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS + 86_400_000, nonceCache, toleranceSeconds: 0 });
      expect(dayLater.problems).toMatchObject([{ code: "reused_nonce", firstSeenSecondsAgo: 86_400 }]);
    });

    it("a nonce from a request with a bad signature is not remembered", () => {
      const nonceCache = createNonceCache();
      const forged = verifyHmac({ secret: "attacker", body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS, nonceCache });
      expect(forged.signatureValid).toBe(false);
      expect(nonceCache.size).toBe(0);
      expect(verifyHmac({ secret: SMS.secret, body: SMS.body, headers: smsHeaders(), nowMs: SMS_NOW_MS, nonceCache }).ok).toBe(true);
    });

    it("different nonces do not collide", () => {
      const nonceCache = createNonceCache();
      for (let i = 0; i < 5; i++) {
        const headers = signHmac({ secret: SMS.secret, body: SMS.body, nonce: `nonce-${i}`, timestamp: SMS.timestamp });
        expect(verifyHmac({ secret: SMS.secret, body: SMS.body, headers, nowMs: SMS_NOW_MS, nonceCache }).ok).toBe(true);
      }
      expect(nonceCache.size).toBe(5);
    });
  });

  it("matches header names case-insensitively and takes the first element of array values", () => {
    const headers = {
      "X-Sinch-Webhook-Signature": [SMS.signature, "bogus"],
      "X-SINCH-WEBHOOK-SIGNATURE-NONCE": SMS.nonce,
      "x-Sinch-Webhook-Signature-Timestamp": [SMS.timestamp],
      "X-Sinch-Webhook-Signature-Algorithm": HMAC_ALGORITHM,
      other: undefined,
    };
    expect(verifyHmac({ secret: SMS.secret, body: SMS.body, headers, nowMs: SMS_NOW_MS })).toEqual({ ok: true, signatureValid: true, problems: [] });

    const bogusFirst = { ...headers, "X-Sinch-Webhook-Signature": ["bogus", SMS.signature] };
    expect(codes(verifyHmac({ secret: SMS.secret, body: SMS.body, headers: bogusFirst, nowMs: SMS_NOW_MS }).problems)).toEqual(["bad_signature"]);

    const emptyArray = { ...headers, "X-Sinch-Webhook-Signature": [] };
    expect(verifyHmac({ secret: SMS.secret, body: SMS.body, headers: emptyArray, nowMs: SMS_NOW_MS }).problems).toMatchObject([{ code: "missing_header", header: HMAC_HEADERS.signature }]);
  });

  it("verifies over raw bytes, including bytes that are not valid UTF-8", () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const headers = signHmac({ secret: "s3cret", body, nonce: "n1", timestamp: SMS.timestamp });
    expect(verifyHmac({ secret: "s3cret", body, headers, nowMs: SMS_NOW_MS }).ok).toBe(true);
    // Decoding to a string (U+FFFD replacement) changes the bytes and so the signature.
    expect(verifyHmac({ secret: "s3cret", body: body.toString("utf8"), headers, nowMs: SMS_NOW_MS }).signatureValid).toBe(false);
  });
});

describe("createNonceCache", () => {
  it("reports reuse inside the window with the first-seen time, expiry outside it", () => {
    const cache = createNonceCache();
    expect(cache.check("a", 1_000, 5_000)).toEqual({ reused: false });
    cache.remember("a", 1_000);
    expect(cache.check("a", 6_000, 5_000)).toEqual({ reused: true, firstSeenMs: 1_000 });
    expect(cache.check("a", 6_001, 5_000)).toEqual({ reused: false });
    // An expired entry is dropped when found.
    expect(cache.size).toBe(0);
  });

  it("stays bounded: filling beyond maxEntries evicts the oldest", () => {
    const cache = createNonceCache({ maxEntries: 100 });
    for (let i = 0; i < 1_000; i++) {
      cache.remember(`n${i}`, 1_000 + i);
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    expect(cache.size).toBe(100);
    expect(cache.check("n0", 2_000, 60_000)).toEqual({ reused: false }); // evicted
    expect(cache.check("n899", 2_000, 60_000)).toEqual({ reused: false }); // evicted
    expect(cache.check("n900", 2_000, 60_000)).toEqual({ reused: true, firstSeenMs: 1_900 });
    expect(cache.check("n999", 2_000, 60_000)).toEqual({ reused: true, firstSeenMs: 1_999 });
  });

  it("drops expired entries as new ones arrive", () => {
    const cache = createNonceCache();
    cache.check("x", 0, 1_000); // tells the cache the window is 1 s
    cache.remember("old1", 0);
    cache.remember("old2", 100);
    cache.remember("fresh", 5_000);
    expect(cache.size).toBe(1);
  });

  it("rejects a nonsensical size", () => {
    expect(() => createNonceCache({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => createNonceCache({ maxEntries: 1.5 })).toThrow(RangeError);
  });
});

describe("timingSafeEqual", () => {
  it.each([
    ["abc", "abc", true],
    ["abc", "abd", false],
    ["abc", "abcd", false],
    ["", "", true],
    ["", "a", false],
    ["é", Buffer.from("é", "utf8"), true],
    [Buffer.from([1, 2, 3]), new Uint8Array([1, 2, 3]), true],
    [Buffer.from([1, 2, 3]), new Uint8Array([1, 2]), false],
  ] as const)("%j vs %j → %s", (a, b, expected) => {
    expect(timingSafeEqual(a, b)).toBe(expected);
  });
});
