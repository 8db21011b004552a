import { generateKeyPairSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createCertCache } from "../../src/sns/verify.js";
import { unwrapSns } from "../../src/sns/unwrap.js";
import { SNS_ENVELOPE_HELP, wrapAsSnsNotification, type WrapOptions, type WrapResult } from "../../src/sns/wrap.js";
import { CERT_URL, countingFetcher, SUBSCRIPTION_ARN, TEST_KEY_PEM, testStringToSign, TOPIC_ARN } from "../helpers/sns-fake-aws.js";

const MO_TEXT = readFileSync(new URL("../../fixtures/mo_text.json", import.meta.url));
const FIXED = { topicArn: TOPIC_ARN, messageId: "7c9f2f7e-5b1a-4c55-9d0e-4a8a3c1e2f10", timestamp: "2026-11-27T13:21:44.123Z" };

function ok(result: WrapResult): Extract<WrapResult, { ok: true }> {
  expect(result.ok).toBe(true);
  return result as Extract<WrapResult, { ok: true }>;
}

describe("wrapAsSnsNotification", () => {
  it("builds SNS's Notification envelope and headers around the exact payload", () => {
    const wrapped = ok(wrapAsSnsNotification(MO_TEXT, { ...FIXED, subscriptionArn: SUBSCRIPTION_ARN }));
    expect(wrapped.headers).toEqual({
      "content-type": "text/plain; charset=UTF-8",
      "x-amz-sns-message-type": "Notification",
      "x-amz-sns-message-id": FIXED.messageId,
      "x-amz-sns-topic-arn": TOPIC_ARN,
      "x-amz-sns-subscription-arn": SUBSCRIPTION_ARN,
    });
    const doc = JSON.parse(wrapped.body.toString("utf8")) as Record<string, string>;
    expect(Object.keys(doc)).toEqual(["Type", "MessageId", "TopicArn", "Message", "Timestamp", "UnsubscribeURL"]);
    expect(doc.Message).toBe(MO_TEXT.toString("utf8"));
    expect(doc.Timestamp).toBe(FIXED.timestamp);
    expect(doc.UnsubscribeURL).toBe(`https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SUBSCRIPTION_ARN}`);
    expect(wrapped.envelope).toEqual(doc);
  });

  it("an unsigned envelope says plainly who will accept it", () => {
    const wrapped = ok(wrapAsSnsNotification(MO_TEXT, FIXED));
    expect(wrapped.signed).toBe(false);
    expect(wrapped.envelope).not.toHaveProperty("Signature");
    expect(wrapped.envelope).not.toHaveProperty("SigningCertURL");
    expect(wrapped.envelope).not.toHaveProperty("SignatureVersion");
    expect(wrapped.note).toMatch(/^Unsigned SNS envelope .*only an app that skips SNS signature verification in development will accept it/);
    expect(SNS_ENVELOPE_HELP).toMatch(/unsigned envelopes .* or envelopes signed with --sns-signing-key\/--sns-cert-url only suit apps that skip SNS signature verification, or point it at your test certificate, in development/);
  });

  it("signs exactly as SNS does (checked with the tests' own string to sign)", () => {
    const wrapped = ok(wrapAsSnsNotification(MO_TEXT, { ...FIXED, subject: "Sinch MO", signing: { privateKeyPem: TEST_KEY_PEM, certUrl: CERT_URL, version: "2" } }));
    const doc = JSON.parse(wrapped.body.toString("utf8")) as Record<string, string>;
    expect(Object.keys(doc)).toEqual(["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"]);
    expect(wrapped.signed).toBe(true);
    expect(wrapped.note).toMatch(/signed with a test key, not by AWS .*only an app whose verification is redirected to that test certificate/);
    // PKCS#1 v1.5 is deterministic: the same key and string give the same signature.
    expect(doc.Signature).toBe(sign("sha256", Buffer.from(testStringToSign(doc), "utf8"), TEST_KEY_PEM).toString("base64"));
  });

  it.each(["1", "2"] as const)("wrap → unwrap round trip with a v%s test signature verifies and returns the exact bytes", async (version) => {
    const wrapped = ok(wrapAsSnsNotification(MO_TEXT, { ...FIXED, signing: { privateKeyPem: TEST_KEY_PEM, certUrl: CERT_URL, version } }));
    const outcome = await unwrapSns(wrapped.headers, wrapped.body, { ...countingFetcher(), cache: createCertCache() });
    expect(outcome.kind).toBe("notification");
    if (outcome.kind !== "notification") return;
    expect(outcome.innerBody.equals(MO_TEXT)).toBe(true);
    expect(outcome.via).toMatchObject({ verified: true, signatureVersion: version, messageId: FIXED.messageId, topicArn: TOPIC_ARN });
  });

  it("an unsigned envelope is refused by a verifying unwrap with a precise reason", async () => {
    const wrapped = ok(wrapAsSnsNotification(MO_TEXT, FIXED));
    const { fetchCert, calls } = countingFetcher();
    const outcome = await unwrapSns(wrapped.headers, wrapped.body, { fetchCert });
    expect(outcome).toMatchObject({
      kind: "refused",
      status: 403,
      reason: "unsigned",
      message: "SNS envelope is unsigned (no Signature or SigningCertURL); Amazon SNS signs every message it sends, so this one did not come from SNS",
    });
    expect(calls).toEqual([]);
  });

  it("an envelope signed with another key than the certificate's is refused as a bad signature", async () => {
    const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const wrapped = ok(wrapAsSnsNotification(MO_TEXT, { ...FIXED, signing: { privateKeyPem: otherKey, certUrl: CERT_URL, version: "2" } }));
    expect(await unwrapSns(wrapped.headers, wrapped.body, countingFetcher())).toMatchObject({ kind: "refused", status: 403, reason: "bad_signature" });
  });

  it("defaults: a random UUID MessageId and the current time", () => {
    const a = ok(wrapAsSnsNotification(MO_TEXT, { topicArn: TOPIC_ARN }));
    const b = ok(wrapAsSnsNotification(MO_TEXT, { topicArn: TOPIC_ARN }));
    expect(a.envelope.MessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.envelope.MessageId).not.toBe(b.envelope.MessageId);
    expect(a.envelope.Timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("uses the amazonaws.com.cn host for a China topic's UnsubscribeURL", () => {
    const topicArn = "arn:aws-cn:sns:cn-north-1:123456789012:sinch";
    const wrapped = ok(wrapAsSnsNotification(MO_TEXT, { topicArn, subscriptionArn: `${topicArn}:abc` }));
    expect(wrapped.envelope.UnsubscribeURL).toBe(`https://sns.cn-north-1.amazonaws.com.cn/?Action=Unsubscribe&SubscriptionArn=${topicArn}:abc`);
  });

  it.each<[string, Buffer, Partial<WrapOptions>, string, RegExp]>([
    ["a topic that is not an ARN", MO_TEXT, { topicArn: "sinch-topic" }, "topicArn", /is not an SNS topic ARN/],
    ["an S3 ARN", MO_TEXT, { topicArn: "arn:aws:s3:::bucket" }, "topicArn", /is not an SNS topic ARN/],
    ["a payload that is not UTF-8", Buffer.from([0xc3, 0x28]), {}, "innerBody", /not valid UTF-8/],
    ["a payload over SNS's 256 KiB", Buffer.alloc(262_145, 0x20), {}, "innerBody", /at most 262144 bytes/],
    ["a timestamp that is not ISO UTC", MO_TEXT, { timestamp: "27/11/2026" }, "timestamp", /not ISO 8601 UTC/],
    ["an invalid Date", MO_TEXT, { timestamp: new Date(Number.NaN) }, "timestamp", /invalid Date/],
    ["a subject with a line break", MO_TEXT, { subject: "a\nb" }, "subject", /printable ASCII/],
    ["a subject over 100 characters", MO_TEXT, { subject: "s".repeat(101) }, "subject", /1 to 100/],
    ["a message id with a newline", MO_TEXT, { messageId: "a\r\nx-evil: 1" }, "messageId", /control characters/],
    ["a subscription of another topic", MO_TEXT, { subscriptionArn: "arn:aws:sns:us-east-1:123456789012:other:abc" }, "subscriptionArn", /topic ARN followed by/],
  ])("refuses %s, naming the option", (_what, body, options, option, reason) => {
    const result = wrapAsSnsNotification(body, { ...FIXED, ...options } as WrapOptions);
    expect(result).toMatchObject({ ok: false, option });
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it("refuses signing options it cannot use", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    expect(wrapAsSnsNotification(MO_TEXT, { ...FIXED, signing: { privateKeyPem: "not a key", certUrl: CERT_URL, version: "2" } })).toMatchObject({ ok: false, option: "signing.privateKeyPem" });
    expect(wrapAsSnsNotification(MO_TEXT, { ...FIXED, signing: { privateKeyPem: ec, certUrl: CERT_URL, version: "2" } })).toMatchObject({
      ok: false,
      option: "signing.privateKeyPem",
      reason: "the signing key is ec; SNS signatures are RSA (SHA1withRSA / SHA256withRSA)",
    });
    expect(wrapAsSnsNotification(MO_TEXT, { ...FIXED, signing: { privateKeyPem: TEST_KEY_PEM, certUrl: "cert.pem", version: "2" } })).toMatchObject({ ok: false, option: "signing.certUrl" });
    expect(wrapAsSnsNotification(MO_TEXT, { ...FIXED, signing: { privateKeyPem: TEST_KEY_PEM, certUrl: CERT_URL, version: "3" as "2" } })).toMatchObject({ ok: false, option: "signing.version" });
  });
});
