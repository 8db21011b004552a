import { describe, expect, it } from "vitest";
import { callbackKey, createDedupeTracker } from "../../src/listen/dedupe.js";
import { forwardHeaders, targetPath } from "../../src/listen/forward.js";
import { decodeBody, encodeBody, recordableHeaders } from "../../src/listen/recording.js";
import { parseRespondSpec, plannedStatus } from "../../src/listen/respond.js";
import { sinchNext } from "../../src/listen/sinch-next.js";
import { retryLabel } from "../../src/listen/output.js";
import { UsageError } from "../../src/errors.js";

describe("--respond spec", () => {
  it("a single status applies to every attempt", () => {
    const plan = parseRespondSpec("503");
    expect([1, 2, 9].map((n) => plannedStatus(plan, n))).toEqual([503, 503, 503]);
  });
  it("a sequence is per attempt and its last status repeats", () => {
    const plan = parseRespondSpec("503, 429,200");
    expect([1, 2, 3, 4].map((n) => plannedStatus(plan, n))).toEqual([503, 429, 200, 200]);
  });
  it.each(["", "abc", "99", "600", "200,,x", "2000"])("rejects %j with a usage error naming --respond", (spec) => {
    expect(() => parseRespondSpec(spec)).toThrow(UsageError);
    expect(() => parseRespondSpec(spec)).toThrow(/--respond/);
  });
});

describe("what Sinch does next", () => {
  it("2xx is delivered", () => expect(sinchNext(204, 1).text).toBe("→ delivered"));
  it("the first 5xx is retried in 5 s as retry 1 of 15", () => {
    const n = sinchNext(503, 1);
    expect(n.text).toBe("→ Sinch retries in 5 s (retry 1 of 15)");
    expect(n.nextRetry).toEqual({ retry: 1, of: 15, inSeconds: 5 });
  });
  it("gaps follow the offsets-double reading: 5, 5, 10, 20 …", () => {
    expect([1, 2, 3, 4].map((a) => sinchNext(500, a).nextRetry?.inSeconds)).toEqual([5, 5, 10, 20]);
    expect(sinchNext(500, 15).text).toBe("→ Sinch retries in 11 h 22 min 40 s (retry 15 of 15)");
  });
  it("after the 15th retry Sinch gives up", () => {
    const n = sinchNext(500, 16);
    expect(n.exhausted).toBe(true);
    expect(n.text).toMatch(/last retry/);
  });
  it("429 is retried and lowers the rate", () => expect(sinchNext(429, 1).text).toBe("→ Sinch retries in 5 s (retry 1 of 15), rate lowered (429)"));
  it("other 4xx are dropped for good", () => expect(sinchNext(404, 1).text).toMatch(/dropped for good/));
  it("3xx is labelled as an assumption", () => {
    const n = sinchNext(302, 1);
    expect(n.outcome.assumption).toBe(true);
    expect(n.text).toMatch(/assumption/);
  });
});

describe("duplicate tracking", () => {
  it("keys inbound messages by id and recipient reports by batch, recipient, status and code", () => {
    const raw = Buffer.from("x");
    expect(callbackKey({ type: "mo_text", id: "A1" }, raw)).toBe("mo:A1");
    expect(callbackKey({ type: "mo_text", id: "A1", body: "different" }, Buffer.from("y"))).toBe("mo:A1");
    expect(callbackKey({ type: "recipient_delivery_report_sms", batch_id: "B", recipient: "1", status: "Delivered", code: 0 }, raw)).toBe(
      "rdr:recipient_delivery_report_sms|B|1|Delivered|0",
    );
    expect(callbackKey({ type: "delivery_report_sms", batch_id: "B" }, raw)).toMatch(/^body:/);
    expect(callbackKey(undefined, Buffer.from("a"))).not.toBe(callbackKey(undefined, Buffer.from("b")));
  });
  it("counts attempts and remembers when it was first seen", () => {
    const t = createDedupeTracker();
    expect(t.see("k", 1000)).toEqual({ attempt: 1, firstSeenMs: 1000, previousSeenMs: null });
    expect(t.see("k", 6000)).toEqual({ attempt: 2, firstSeenMs: 1000, previousSeenMs: 1000 });
    expect(t.see("k", 11000)).toEqual({ attempt: 3, firstSeenMs: 1000, previousSeenMs: 6000 });
  });
  it("stays bounded, forgetting the least recently seen", () => {
    const t = createDedupeTracker(100);
    t.see("keep", 0);
    for (let i = 0; i < 1000; i++) {
      t.see(`k${i}`, i);
      if (i % 50 === 0) t.see("keep", i);
    }
    expect(t.size).toBe(100);
    expect(t.see("keep", 2000).attempt).toBeGreaterThan(1);
    expect(t.see("k0", 2000).attempt).toBe(1);
  });
  it("labels a retry with its offset and Sinch's expected one", () => {
    expect(retryLabel(1, 0, 5000)).toBeNull();
    expect(retryLabel(2, 0, 5200)).toBe("retry #1, +5 s after first, Sinch's schedule says 5 s");
    expect(retryLabel(3, 0, 10_000)).toBe("retry #2, +10 s after first, Sinch's schedule says 10 s");
  });
});

describe("forwarding headers", () => {
  it("drops hop-by-hop headers, keeps the rest, adds x-forwarded-*", () => {
    const out = forwardHeaders(
      {
        host: "abc.ngrok-free.app",
        connection: "keep-alive, x-drop-me",
        "keep-alive": "timeout=5",
        "x-drop-me": "1",
        "transfer-encoding": "chunked",
        "content-length": "10",
        "content-type": "application/json",
        "x-sinch-webhook-signature": "sig",
        authorization: "Basic abc",
      },
      "203.0.113.9",
    );
    expect(out).toEqual({
      "content-type": "application/json",
      "x-sinch-webhook-signature": "sig",
      authorization: "Basic abc",
      "x-forwarded-for": "203.0.113.9",
      "x-forwarded-host": "abc.ngrok-free.app",
    });
  });
  it("uses the target's path, or the incoming path when the target has none", () => {
    expect(targetPath(new URL("http://localhost:3000/sinch?x=1"), "/cb")).toBe("/sinch?x=1");
    expect(targetPath(new URL("http://localhost:3000"), "/cb/sms")).toBe("/cb/sms");
  });
});

describe("recordings", () => {
  it("keep UTF-8 bodies as text and other bytes as Base64, both round-tripping exactly", () => {
    const utf8 = Buffer.from('{"body":"Hej 👋 \\u00e9"}');
    expect(encodeBody(utf8)).toEqual({ body: utf8.toString("utf8") });
    expect(decodeBody(encodeBody(utf8)).equals(utf8)).toBe(true);
    const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    expect(encodeBody(bad)).toEqual({ body_base64: bad.toString("base64") });
    expect(decodeBody(encodeBody(bad)).equals(bad)).toBe(true);
  });
  it("never record credentials, and drop signatures when redacted", () => {
    const h = { authorization: "Bearer t0k3n", cookie: "a=b", "content-type": "application/json", "x-sinch-webhook-signature": "s", "x-custom": "v" };
    expect(recordableHeaders(h, false)).toEqual({ "content-type": "application/json", "x-sinch-webhook-signature": "s", "x-custom": "v" });
    expect(recordableHeaders(h, true)).toEqual({ "content-type": "application/json", "x-custom": "v" });
  });
});
