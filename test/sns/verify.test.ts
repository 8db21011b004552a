import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SnsEnvelope, SnsNotification } from "../../src/sns/envelope.js";
import { checkCertUrl, isTrustedCertUrl, isTrustedSubscribeUrl } from "../../src/sns/urls.js";
import { createCertCache, createCertFetcher, stringToSign, verifySnsSignature } from "../../src/sns/verify.js";
import {
  CERT_URL,
  countingFetcher,
  FakeSnsHost,
  loopbackDispatcher,
  routeOf,
  signedControl,
  signedNotification,
  signFields,
  TEST_CERT_PEM,
  testStringToSign,
  type LoopbackDispatcher,
} from "../helpers/sns-fake-aws.js";

// The example Notification of AWS's "Verifying the signature of an Amazon SNS message" page, and the
// string to sign the page prints for it.
const AWS_EXAMPLE: SnsNotification = {
  Type: "Notification",
  MessageId: "4d4dc071-ddbf-465d-bba8-08f81c89da64",
  TopicArn: "arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P",
  Subject: "My subject",
  Message: "My Test Message",
  Timestamp: "2019-01-31T04:37:04.321Z",
  SignatureVersion: "2",
  Signature: "",
  SigningCertURL: CERT_URL,
};
const AWS_EXAMPLE_STRING_TO_SIGN =
  "Message\nMy Test Message\nMessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\nSubject\nMy subject\n" +
  "Timestamp\n2019-01-31T04:37:04.321Z\nTopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\nType\nNotification\n";

// Made outside this code base, with OpenSSL and the test key, over AWS_EXAMPLE_STRING_TO_SIGN:
//   openssl dgst -sha1   -sign TEST-ONLY-sns-signing-key.pem string-to-sign.txt | base64 -w0
//   openssl dgst -sha256 -sign TEST-ONLY-sns-signing-key.pem string-to-sign.txt | base64 -w0
// (RSASSA-PKCS1-v1_5 is deterministic, so these are fixed known answers.)
const OPENSSL_SIG_V1 =
  "RMFo+KVk4nJVIJYCBxnB6cZlgDIGJzjFiFWFRwJeSPIRdXqRsGSw3AEvmDQyNFlw+mdd8sSSBc1zXHrG58TmIIErGqTcKZeKiLtp5F15e84NFBGvPXhgnaW7FMzgcTPuJtqAuVjEm68E+30rqItN2D+CkD5CnpM4/v5heVv+cZFHRlU7ItJLl/6njntPAwHdKbMiGV5MwLQiev6+DlRtOpUE6mm4pQCIQpubefrNaGQSPaftdmLfjqdkRtc4df7gvvWgMAeebwqwTFOAWc4+BYHWx5KoUq8Shu52VbmobKn5Vf0S+vbm+SQWqpCqZ6BiGr5DyV3VILoz2qtTYyf3kw==";
const OPENSSL_SIG_V2 =
  "MWcYhs9I2QjdsG8I3RNeEY68ZIhin09OegSqwJTvUXxCYcLq9U4jBFzqaSnN+9YgtFI1gWqj3Mj0dEdKemEdu+jG690lDNJrdayIclvYO8RwSR7mcTAsJFIgrcrKjegZpBrqaSwqLVUEVpQvpi3JwMtWOmV1UHgTcmTgDz+/0i7cdoK2WGblHnVFGWuH0H1/KJ3IClQQ6UvmSjhn7rWSL89yPZiwm7zvy/pIpyNRYElne/kt6+Vp3BGBYXBxzmHkBo3g3CYy01xeBlXhZlGhjPwy3fxBzRHga0KBTbiukkOR7NiD1jDhr92HL35MPg0UDYrnPQLMpgjGtblvXQESLg==";

function asEnvelope(doc: Record<string, string>): SnsEnvelope {
  return doc as unknown as SnsEnvelope;
}

describe("certificate URL allowlist", () => {
  it.each([
    CERT_URL,
    "https://sns.eu-west-3.amazonaws.com/SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
    "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
    "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
    "https://SNS.US-EAST-1.AMAZONAWS.COM/SimpleNotificationService-abc.pem",
    "https://sns.us-east-1.amazonaws.com:443/SimpleNotificationService-abc.pem",
  ])("trusts %s", (url) => {
    expect(isTrustedCertUrl(url)).toBe(true);
  });

  it.each([
    ["http://sns.us-east-1.amazonaws.com/x.pem", /is not https/],
    ["https://evil.com/x.pem", /host "evil.com" is not sns/],
    ["https://sns.us-east-1.amazonaws.com.evil.com/x.pem", /host "sns.us-east-1.amazonaws.com.evil.com"/],
    ["https://sns.us-east-1.amazonaws.com@evil.com/x.pem", /user-info/],
    ["https://evil.com@sns.us-east-1.amazonaws.com/x.pem", /user-info/],
    ["https://user:pass@sns.us-east-1.amazonaws.com/x.pem", /user-info/],
    ["https://sns.us-east-1.amazonaws.com:8443/x.pem", /port 8443/],
    ["https://sns.us-east-1.amazonaws.com\\@evil.com/x.pem", /backslash/],
    ["https://sns.us-east-1.amazonaws.com/x.pem\n", /whitespace, a control character/],
    ["https://sns.us-east-1.amazonaws.com./x.pem", /is not sns/],
    ["https://sns.amazonaws.com/x.pem", /is not sns/],
    ["https://sns.us.east.1.amazonaws.com/x.pem", /is not sns/],
    ["https://s3.us-east-1.amazonaws.com/x.pem", /is not sns/],
    ["https://sns.us-east-1.amazonaws.com.cn.evil.com/x.pem", /is not sns/],
    ["https://127.0.0.1/x.pem", /is not sns/],
    ["https://sns.us-east-1.amazonaws.com/x.pem?download=1", /query or fragment/],
    ["https://sns.us-east-1.amazonaws.com/cert.txt", /does not name a .pem/],
    ["//sns.us-east-1.amazonaws.com/x.pem", /not an absolute URL/],
    ["", /is empty/],
  ])("refuses %j", (url, why) => {
    const checked = checkCertUrl(url);
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.why).toMatch(why);
  });

  it("SubscribeURL uses the same host rule and must be a ConfirmSubscription link", () => {
    expect(isTrustedSubscribeUrl("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=a&Token=b")).toBe(true);
    expect(isTrustedSubscribeUrl("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=a")).toBe(false);
    expect(isTrustedSubscribeUrl("https://sns.us-east-1.amazonaws.com.evil.com/?Action=ConfirmSubscription")).toBe(false);
    expect(isTrustedSubscribeUrl("http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription")).toBe(false);
  });
});

describe("stringToSign", () => {
  it("matches AWS's own example for a Notification, byte for byte", () => {
    expect(stringToSign(AWS_EXAMPLE)).toBe(AWS_EXAMPLE_STRING_TO_SIGN);
  });

  it("leaves Subject out when there is none", () => {
    const { Subject: _subject, ...noSubject } = AWS_EXAMPLE;
    expect(stringToSign(noSubject as SnsNotification)).toBe(AWS_EXAMPLE_STRING_TO_SIGN.replace("Subject\nMy subject\n", ""));
  });

  it("uses Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type for confirmations", () => {
    const doc = signedControl("SubscriptionConfirmation");
    const s = stringToSign(asEnvelope(doc));
    expect(s).toBe(
      `Message\n${doc.Message!}\nMessageId\n${doc.MessageId!}\nSubscribeURL\n${doc.SubscribeURL!}\nTimestamp\n${doc.Timestamp!}\n` +
        `Token\n${doc.Token!}\nTopicArn\n${doc.TopicArn!}\nType\nSubscriptionConfirmation\n`,
    );
    expect(s).toBe(testStringToSign(doc));
  });
});

describe("verifySnsSignature", () => {
  it.each([
    ["1", OPENSSL_SIG_V1],
    ["2", OPENSSL_SIG_V2],
  ] as const)("accepts SignatureVersion %s signed by OpenSSL over AWS's example", async (version, signature) => {
    const { fetchCert, calls } = countingFetcher();
    const result = await verifySnsSignature({ ...AWS_EXAMPLE, SignatureVersion: version, Signature: signature }, { fetchCert });
    expect(result).toEqual({ ok: true, certUrl: CERT_URL, fromCache: false });
    expect(calls).toEqual([CERT_URL]);
  });

  it("refuses a version-1 signature presented as version 2 (the digest differs)", async () => {
    const result = await verifySnsSignature({ ...AWS_EXAMPLE, SignatureVersion: "2", Signature: OPENSSL_SIG_V1 }, countingFetcher());
    expect(result).toMatchObject({ ok: false, reason: "bad_signature" });
  });

  it.each(["1", "2"] as const)("accepts v%s Notification, SubscriptionConfirmation and UnsubscribeConfirmation", async (version) => {
    for (const doc of [
      signedNotification('{"type":"mo_text","body":"line 1\\nline 2 \\"quoted\\" 👋"}', {}, version),
      signedControl("SubscriptionConfirmation", {}, version),
      signedControl("UnsubscribeConfirmation", {}, version),
    ]) {
      expect(await verifySnsSignature(asEnvelope(doc), countingFetcher())).toMatchObject({ ok: true });
    }
  });

  it.each([
    ["Message", '{"type":"mo_text","body":"tampered"}'],
    ["MessageId", "00000000-0000-0000-0000-000000000000"],
    ["Timestamp", "2026-11-27T13:21:45.123Z"],
    ["TopicArn", "arn:aws:sns:us-east-1:123456789012:other"],
    ["Subject", "added"],
  ])("a changed %s is a bad signature", async (field, value) => {
    const doc = { ...signedNotification('{"type":"mo_text","body":"hello"}'), [field]: value };
    const result = await verifySnsSignature(asEnvelope(doc), countingFetcher());
    expect(result).toMatchObject({ ok: false, reason: "bad_signature" });
    expect(!result.ok && result.message).toMatch(/SHA256withRSA signature does not match the Notification .*changed after signing, or signed with another key/);
  });

  it("a changed Token or SubscribeURL on a confirmation is a bad signature", async () => {
    const changes: Record<string, string>[] = [{ Token: "forged" }, { SubscribeURL: "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=forged" }];
    for (const change of changes) {
      const doc = { ...signedControl("SubscriptionConfirmation"), ...change };
      expect(await verifySnsSignature(asEnvelope(doc), countingFetcher())).toMatchObject({ ok: false, reason: "bad_signature" });
    }
  });

  it("a signature by another key is a bad signature", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const doc = signedNotification("hello");
    doc.Signature = signFields(doc, "2", other);
    expect(await verifySnsSignature(asEnvelope(doc), countingFetcher())).toMatchObject({ ok: false, reason: "bad_signature" });
  });

  it.each([
    "http://sns.us-east-1.amazonaws.com/x.pem",
    "https://evil.com/x.pem",
    "https://sns.us-east-1.amazonaws.com.evil.com/x.pem",
    "https://sns.us-east-1.amazonaws.com@evil.com/x.pem",
    "https://evil.com@sns.us-east-1.amazonaws.com/x.pem",
  ])("refuses SigningCertURL %s without calling the fetcher", async (url) => {
    const { fetchCert, calls } = countingFetcher();
    const doc = signedNotification("hello", { SigningCertURL: url });
    const result = await verifySnsSignature(asEnvelope(doc), { fetchCert });
    expect(result).toMatchObject({ ok: false, reason: "untrusted_cert_url" });
    expect(!result.ok && result.message).toMatch(/the certificate was not fetched$/);
    expect(calls).toEqual([]);
  });

  it("refuses an unsupported version and a non-Base64 signature before fetching", async () => {
    const { fetchCert, calls } = countingFetcher();
    const doc = signedNotification("hello");
    expect(await verifySnsSignature(asEnvelope({ ...doc, SignatureVersion: "3" }), { fetchCert })).toMatchObject({ ok: false, reason: "unsupported_signature_version" });
    expect(await verifySnsSignature(asEnvelope({ ...doc, Signature: "@@@" }), { fetchCert })).toMatchObject({ ok: false, reason: "malformed" });
    expect(calls).toEqual([]);
  });

  it("reports a failed fetch or a body that is not a certificate as cert_fetch_failed", async () => {
    const doc = asEnvelope(signedNotification("hello"));
    const failing = { fetchCert: () => Promise.reject(new Error("connection reset")) };
    expect(await verifySnsSignature(doc, failing)).toEqual({
      ok: false,
      reason: "cert_fetch_failed",
      message: `could not get the SNS signing certificate ${CERT_URL}: connection reset`,
    });
    expect(await verifySnsSignature(doc, countingFetcher("<html>captive portal</html>"))).toMatchObject({
      ok: false,
      reason: "cert_fetch_failed",
      message: expect.stringMatching(/not a PEM certificate/),
    });
    const broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    expect(await verifySnsSignature(doc, countingFetcher(broken))).toMatchObject({ ok: false, reason: "cert_fetch_failed", message: expect.stringMatching(/cannot be read/) });
  });
});

describe("certificate cache", () => {
  it("a second verification with the same certificate does not fetch", async () => {
    const cache = createCertCache();
    const { fetchCert, calls } = countingFetcher();
    const first = await verifySnsSignature(asEnvelope(signedNotification("one")), { fetchCert, cache });
    const second = await verifySnsSignature(asEnvelope(signedNotification("two", { MessageId: "m-2" })), { fetchCert, cache });
    expect(first).toMatchObject({ ok: true, fromCache: false });
    expect(second).toMatchObject({ ok: true, fromCache: true });
    expect(calls).toHaveLength(1);
  });

  it("concurrent verifications share one fetch", async () => {
    const cache = createCertCache();
    const { fetchCert, calls } = countingFetcher();
    const results = await Promise.all([1, 2, 3, 4].map((i) => verifySnsSignature(asEnvelope(signedNotification(`m${i}`, { MessageId: `m-${i}` })), { fetchCert, cache })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it("a failed fetch is not remembered", async () => {
    const cache = createCertCache();
    let attempts = 0;
    const fetchCert = async () => {
      attempts++;
      if (attempts === 1) throw new Error("timed out after 10000 ms");
      return TEST_CERT_PEM;
    };
    const doc = asEnvelope(signedNotification("hello"));
    expect(await verifySnsSignature(doc, { fetchCert, cache })).toMatchObject({ ok: false, reason: "cert_fetch_failed" });
    expect(cache.size).toBe(0);
    expect(await verifySnsSignature(doc, { fetchCert, cache })).toMatchObject({ ok: true, fromCache: false });
    expect(attempts).toBe(2);
  });

  it("is bounded, dropping the least recently used certificate", () => {
    const cache = createCertCache({ maxEntries: 2 });
    const key = Promise.resolve(new X509Certificate(TEST_CERT_PEM).publicKey);
    cache.set("a", key);
    cache.set("b", key);
    cache.get("a");
    cache.set("c", key);
    expect(cache.size).toBe(2);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(key);
    expect(cache.get("c")).toBe(key);
  });
});

describe("createCertFetcher (real undici, real TLS, loopback stand-in for AWS)", () => {
  let aws: FakeSnsHost;
  let loop: LoopbackDispatcher;

  beforeEach(async () => {
    aws = await new FakeSnsHost().start();
    aws.routes.set(routeOf(CERT_URL), { status: 200, body: TEST_CERT_PEM });
    loop = loopbackDispatcher(aws.port);
  });

  afterEach(async () => {
    await loop.agent.close();
    await aws.stop();
  });

  it("fetches the certificate over HTTPS and verification succeeds with it", async () => {
    const fetchCert = createCertFetcher({ dispatcher: loop.agent, timeoutMs: 5_000 });
    const result = await verifySnsSignature(asEnvelope(signedNotification("hello")), { fetchCert, cache: createCertCache() });
    expect(result).toMatchObject({ ok: true });
    expect(aws.received).toEqual([{ method: "GET", host: "sns.us-east-1.amazonaws.com", url: routeOf(CERT_URL) }]);
    expect(loop.connects).toEqual(["sns.us-east-1.amazonaws.com"]);
  });

  it.each(["https://evil.com/x.pem", "http://sns.us-east-1.amazonaws.com/x.pem", "https://sns.us-east-1.amazonaws.com.evil.com/x.pem"])(
    "refuses %s before any network I/O",
    async (url) => {
      const fetchCert = createCertFetcher({ dispatcher: loop.agent });
      await expect(fetchCert(url)).rejects.toThrow(/^refused to fetch: SigningCertURL/);
      expect(loop.connects).toEqual([]);
      expect(aws.received).toEqual([]);
    },
  );

  it("does not accept a non-200 answer or follow a redirect", async () => {
    const fetchCert = createCertFetcher({ dispatcher: loop.agent });
    await expect(fetchCert("https://sns.us-east-1.amazonaws.com/missing.pem")).rejects.toThrow("sns.us-east-1.amazonaws.com answered HTTP 404");
    aws.routes.set("/moved.pem", { status: 302, body: "" });
    await expect(fetchCert("https://sns.us-east-1.amazonaws.com/moved.pem")).rejects.toThrow("answered HTTP 302");
    expect(aws.received.map((r) => r.url)).toEqual(["/missing.pem", "/moved.pem"]);
  });

  it("caps the size of what it reads", async () => {
    aws.routes.set("/big.pem", { status: 200, body: "x".repeat(10_000) });
    const fetchCert = createCertFetcher({ dispatcher: loop.agent, maxBytes: 1_000 });
    await expect(fetchCert("https://sns.us-east-1.amazonaws.com/big.pem")).rejects.toThrow("response is larger than 1000 bytes");
  });

  it("a TLS identity that does not match the host is a fetch failure (no insecure fallback)", async () => {
    // The test certificate names sns.us-east-1 and sns.cn-north-1 only.
    const fetchCert = createCertFetcher({ dispatcher: loop.agent });
    await expect(fetchCert("https://sns.eu-west-1.amazonaws.com/x.pem")).rejects.toThrow(/altnames|ERR_TLS_CERT_ALTNAME_INVALID/i);
    expect(aws.received).toEqual([]);
  });
});
