import { readdirSync, readFileSync } from "node:fs";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { createCertCache } from "../../src/sns/verify.js";
import { describeSnsVia, unwrapSns, type SnsOutcome, type UnwrapDeps } from "../../src/sns/unwrap.js";
import { validateCallback } from "../../src/validate/validate.js";
import {
  CERT_URL,
  confirmXml,
  countingFetcher,
  SUBSCRIBE_URL,
  SUBSCRIPTION_ARN,
  signedControl,
  signedNotification,
  snsHeaders,
  TOPIC_ARN,
} from "../helpers/sns-fake-aws.js";
import { TargetServer } from "../helpers/target-server.js";

const fixturesDir = new URL("../../fixtures/", import.meta.url);
const fixtureFiles = readdirSync(fixturesDir).filter((f) => f.endsWith(".json"));

function post(doc: Record<string, string>, extraHeaders: Record<string, string> = {}): [Record<string, string>, Buffer] {
  return [snsHeaders(doc, extraHeaders), Buffer.from(JSON.stringify(doc), "utf8")];
}

function deps(overrides: Partial<UnwrapDeps> = {}): UnwrapDeps & { calls: string[] } {
  const { fetchCert, calls } = countingFetcher();
  return { fetchCert, cache: createCertCache(), calls, ...overrides };
}

function refused(outcome: SnsOutcome) {
  expect(outcome.kind).toBe("refused");
  return outcome as Extract<SnsOutcome, { kind: "refused" }>;
}

describe("unwrapSns: Notification", () => {
  it("covers all seven Sinch callback types among the repo fixtures", () => {
    const types = new Set(fixtureFiles.map((f) => (JSON.parse(readFileSync(new URL(f, fixturesDir), "utf8")) as { type: string }).type));
    expect([...types].toSorted()).toEqual([
      "delivery_report_mms",
      "delivery_report_sms",
      "mo_binary",
      "mo_media",
      "mo_text",
      "recipient_delivery_report_mms",
      "recipient_delivery_report_sms",
    ]);
  });

  it.each(fixtureFiles)("%s: innerBody is the Message's exact bytes, and a valid Sinch callback", async (file) => {
    const bytes = readFileSync(new URL(file, fixturesDir));
    const doc = signedNotification(bytes.toString("utf8"));
    const outcome = await unwrapSns(...post(doc), deps());
    expect(outcome.kind).toBe("notification");
    if (outcome.kind !== "notification") return;
    expect(outcome.innerBody.equals(bytes)).toBe(true);
    expect(outcome.verified).toBe(true);
    expect(outcome.envelope.MessageId).toBe(doc.MessageId);
    expect(validateCallback(JSON.parse(outcome.innerBody.toString("utf8")))).toMatchObject({ ok: true, knownType: true });
  });

  it("keeps bytes that JSON would escape: newlines, quotes, backslashes, emoji, a BOM, non-ASCII", async () => {
    const bytes = Buffer.from('\uFEFF{"type":"mo_text","body":"a\\nb \\"q\\" \\\\ 👋 ü\t"}\r\n', "utf8");
    const outcome = await unwrapSns(...post(signedNotification(bytes.toString("utf8"))), deps());
    expect(outcome.kind === "notification" && outcome.innerBody.equals(bytes)).toBe(true);
  });

  it("carries what the listener prints: topic, message id, subscription, signature", async () => {
    const doc = signedNotification('{"type":"mo_text"}', { Subject: "Sinch" }, "1");
    const outcome = await unwrapSns(...post(doc), deps());
    expect(outcome.kind === "notification" && outcome.via).toEqual({
      messageType: "Notification",
      topicArn: TOPIC_ARN,
      messageId: doc.MessageId,
      subscriptionArn: SUBSCRIPTION_ARN,
      timestamp: doc.Timestamp,
      subject: "Sinch",
      rawDelivery: false,
      verified: true,
      signatureVersion: "1",
      certUrl: CERT_URL,
      certFromCache: false,
    });
    expect(outcome.kind === "notification" && describeSnsVia(outcome.via)).toBe(
      `arrived through SNS (topic ${TOPIC_ARN}, message 22b80b92…, signature v1 verified)`,
    );
  });

  it("fetches the certificate once across notifications when given a cache", async () => {
    const d = deps();
    for (const id of ["a-1", "a-2", "a-3"]) {
      expect((await unwrapSns(...post(signedNotification("{}", { MessageId: id })), d)).kind).toBe("notification");
    }
    expect(d.calls).toEqual([CERT_URL]);
  });

  it("works on a request received by a real HTTP server", async () => {
    const server = await new TargetServer().start();
    try {
      const bytes = readFileSync(new URL("mo_text.json", fixturesDir));
      const doc = signedNotification(bytes.toString("utf8"));
      const [headers, body] = post(doc);
      const res = await request(server.url, { method: "POST", headers, body });
      await res.body.dump();
      const received = server.received[0]!;
      const outcome = await unwrapSns(received.headers, received.body, deps());
      expect(outcome.kind === "notification" && outcome.innerBody.equals(bytes)).toBe(true);
    } finally {
      await server.stop();
    }
  });
});

describe("unwrapSns: not SNS, raw delivery", () => {
  it("a request without x-amz-sns-message-type is not SNS, and nothing is fetched", async () => {
    const d = deps();
    expect(await unwrapSns({ "content-type": "application/json" }, Buffer.from('{"type":"mo_text"}'), d)).toEqual({ kind: "not-sns" });
    expect(d.calls).toEqual([]);
  });

  it("raw message delivery: the HTTP body is the callback, as is, and is marked unverified", async () => {
    const bytes = readFileSync(new URL("recipient_delivery_report_sms.json", fixturesDir));
    const headers = {
      "content-type": "text/plain; charset=UTF-8",
      "x-amz-sns-message-type": "Notification",
      "x-amz-sns-message-id": "6f1e2d3c-0000-4000-8000-000000000001",
      "x-amz-sns-topic-arn": TOPIC_ARN,
      "x-amz-sns-subscription-arn": SUBSCRIPTION_ARN,
      "x-amz-sns-rawdelivery": "true",
    };
    const d = deps();
    const outcome = await unwrapSns(headers, bytes, d);
    expect(outcome.kind).toBe("raw");
    if (outcome.kind !== "raw") return;
    expect(outcome.innerBody.equals(bytes)).toBe(true);
    expect(outcome.verified).toBe(false);
    expect(outcome.via).toMatchObject({ rawDelivery: true, verified: false, topicArn: TOPIC_ARN, subscriptionArn: SUBSCRIPTION_ARN });
    expect(describeSnsVia(outcome.via)).toBe(`arrived through SNS raw delivery (topic ${TOPIC_ARN}, message 6f1e2d3c…, not signed: raw delivery carries no signature)`);
    expect(d.calls).toEqual([]);
  });

  it("a confirmation on a raw-delivery subscription is still a JSON envelope and is verified", async () => {
    const doc = signedControl("SubscriptionConfirmation");
    const outcome = await unwrapSns(...post(doc, { "x-amz-sns-rawdelivery": "true" }), deps());
    expect(outcome.kind).toBe("confirmation");
  });
});

describe("unwrapSns: confirmations", () => {
  it("SubscriptionConfirmation: verified, answered 200, auto-confirmed through the injected fetcher", async () => {
    const gets: string[] = [];
    const fetchUrl = async (url: string) => {
      gets.push(url);
      return { status: 200, body: confirmXml(SUBSCRIPTION_ARN) };
    };
    const outcome = await unwrapSns(...post(signedControl("SubscriptionConfirmation")), deps({ confirm: { mode: "auto", fetchUrl } }));
    expect(outcome).toMatchObject({
      kind: "confirmation",
      verified: true,
      status: 200,
      subscribeUrl: SUBSCRIBE_URL,
      subscribeUrlTrusted: true,
      confirmation: { outcome: "confirmed", subscriptionArn: SUBSCRIPTION_ARN },
    });
    expect(gets).toEqual([SUBSCRIBE_URL]);
  });

  it("SubscriptionConfirmation in manual mode: the URL comes back, nothing is fetched", async () => {
    const gets: string[] = [];
    const fetchUrl = async (url: string) => {
      gets.push(url);
      return { status: 200, body: "" };
    };
    const outcome = await unwrapSns(...post(signedControl("SubscriptionConfirmation")), deps({ confirm: { mode: "manual", fetchUrl } }));
    expect(outcome).toMatchObject({ kind: "confirmation", confirmation: { outcome: "manual", url: SUBSCRIBE_URL, trusted: true } });
    expect(gets).toEqual([]);
  });

  it("without deps.confirm the caller confirms later: confirmation is undefined", async () => {
    const outcome = await unwrapSns(...post(signedControl("SubscriptionConfirmation")), deps());
    expect(outcome).toMatchObject({ kind: "confirmation", confirmation: undefined });
  });

  it("a signed confirmation whose SubscribeURL is not an AWS link is not followed", async () => {
    const gets: string[] = [];
    const fetchUrl = async (url: string) => {
      gets.push(url);
      return { status: 200, body: "" };
    };
    const doc = signedControl("SubscriptionConfirmation", { SubscribeURL: "https://attacker.example/?Action=ConfirmSubscription" });
    const outcome = await unwrapSns(...post(doc), deps({ confirm: { mode: "auto", fetchUrl } }));
    expect(outcome).toMatchObject({ kind: "confirmation", subscribeUrlTrusted: false, confirmation: { outcome: "not_followed", reason: "untrusted_url" } });
    expect(gets).toEqual([]);
  });

  it("a forged confirmation (bad signature) is refused before anything is confirmed", async () => {
    const gets: string[] = [];
    const fetchUrl = async (url: string) => {
      gets.push(url);
      return { status: 200, body: "" };
    };
    const doc = { ...signedControl("SubscriptionConfirmation"), Token: "forged" };
    const outcome = refused(await unwrapSns(...post(doc), deps({ confirm: { mode: "auto", fetchUrl } })));
    expect(outcome).toMatchObject({ status: 403, reason: "bad_signature" });
    expect(gets).toEqual([]);
  });

  it("UnsubscribeConfirmation: verified and shown, never followed", async () => {
    const gets: string[] = [];
    const fetchUrl = async (url: string) => {
      gets.push(url);
      return { status: 200, body: "" };
    };
    const outcome = await unwrapSns(...post(signedControl("UnsubscribeConfirmation", {}, "2")), deps({ confirm: { mode: "auto", fetchUrl } }));
    expect(outcome).toMatchObject({ kind: "unsubscribe", verified: true, status: 200, via: { messageType: "UnsubscribeConfirmation", signatureVersion: "2" } });
    expect(gets).toEqual([]);
  });
});

describe("unwrapSns: refusals with precise reasons", () => {
  it("a tampered Message is 403 bad_signature", async () => {
    const doc = { ...signedNotification('{"type":"mo_text","body":"pay 10"}'), Message: '{"type":"mo_text","body":"pay 1000"}' };
    const outcome = refused(await unwrapSns(...post(doc), deps()));
    expect(outcome).toMatchObject({ status: 403, reason: "bad_signature" });
    expect(outcome.message).toMatch(/^SNS Notification refused: SHA256withRSA signature does not match/);
    expect(outcome.via).toMatchObject({ topicArn: TOPIC_ARN, verified: false });
  });

  it.each([
    "https://evil.com/cert.pem",
    "https://sns.us-east-1.amazonaws.com.evil.com/cert.pem",
    "http://sns.us-east-1.amazonaws.com/cert.pem",
    "https://x@sns.us-east-1.amazonaws.com/cert.pem",
  ])("SigningCertURL %s is 403 untrusted_cert_url, with no fetch", async (url) => {
    const d = deps();
    const outcome = refused(await unwrapSns(...post(signedNotification("{}", { SigningCertURL: url })), d));
    expect(outcome).toMatchObject({ status: 403, reason: "untrusted_cert_url" });
    expect(d.calls).toEqual([]);
  });

  it("a certificate that cannot be fetched is 503, so SNS retries", async () => {
    const outcome = refused(await unwrapSns(...post(signedNotification("{}")), deps({ fetchCert: () => Promise.reject(new Error("host not found")) })));
    expect(outcome).toMatchObject({ status: 503, reason: "cert_fetch_failed" });
    expect(outcome.message).toBe(`SNS Notification refused: could not get the SNS signing certificate ${CERT_URL}: host not found`);
  });

  it("a malformed envelope is 400 with the parser's reason", async () => {
    const doc: Record<string, string> = { ...signedNotification("{}") };
    delete doc.Timestamp;
    expect(refused(await unwrapSns(...post(doc), deps()))).toMatchObject({
      status: 400,
      reason: "malformed",
      message: "SNS Notification envelope is missing Timestamp",
    });
    const notJson = refused(await unwrapSns({ "x-amz-sns-message-type": "Notification" }, Buffer.from("Type=Notification"), deps()));
    expect(notJson).toMatchObject({ status: 400, reason: "malformed", message: expect.stringMatching(/^SNS envelope is not JSON/) });
  });

  it("a body that is not UTF-8 is 400", async () => {
    const outcome = refused(await unwrapSns({ "x-amz-sns-message-type": "Notification" }, Buffer.from([0x7b, 0xff, 0x7d]), deps()));
    expect(outcome).toMatchObject({ status: 400, reason: "malformed", message: "SNS envelope is not valid UTF-8" });
  });

  it("an unknown x-amz-sns-message-type is 400", async () => {
    const outcome = refused(await unwrapSns({ "x-amz-sns-message-type": "Bogus" }, Buffer.from("{}"), deps()));
    expect(outcome.message).toBe('x-amz-sns-message-type "Bogus" is not one of SubscriptionConfirmation, Notification, UnsubscribeConfirmation');
    expect(outcome.status).toBe(400);
  });

  it("a header Type that differs from the body's is 400", async () => {
    const doc = signedNotification("{}");
    const outcome = refused(await unwrapSns(snsHeaders(doc, { "x-amz-sns-message-type": "SubscriptionConfirmation" }), Buffer.from(JSON.stringify(doc)), deps()));
    expect(outcome).toMatchObject({ status: 400, reason: "malformed", message: expect.stringMatching(/does not match the x-amz-sns-message-type header/) });
  });

  it("message id or topic headers that differ from the envelope are 400", async () => {
    const doc = signedNotification("{}");
    expect(refused(await unwrapSns(...post(doc, { "x-amz-sns-message-id": "other" }), deps())).message).toMatch(/^x-amz-sns-message-id "other" does not match the envelope MessageId/);
    expect(refused(await unwrapSns(...post(doc, { "x-amz-sns-topic-arn": "arn:aws:sns:us-east-1:123456789012:x" }), deps())).message).toMatch(/^x-amz-sns-topic-arn .* does not match the envelope TopicArn/);
  });

  it("an unsupported SignatureVersion is 400 unsupported_signature_version", async () => {
    const outcome = refused(await unwrapSns(...post({ ...signedNotification("{}"), SignatureVersion: "3" }), deps()));
    expect(outcome).toMatchObject({ status: 400, reason: "unsupported_signature_version" });
  });

  it("a topic the developer did not expect is 403, before any fetch", async () => {
    const d = deps({ expectedTopicArns: ["arn:aws:sns:us-east-1:123456789012:only-this"] });
    const outcome = refused(await unwrapSns(...post(signedNotification("{}")), d));
    expect(outcome).toMatchObject({ status: 403, reason: "unexpected_topic" });
    expect(outcome.message).toBe(`SNS message from topic "${TOPIC_ARN}" refused: expected "arn:aws:sns:us-east-1:123456789012:only-this"`);
    expect(d.calls).toEqual([]);
    expect((await unwrapSns(...post(signedNotification("{}")), deps({ expectedTopicArns: [TOPIC_ARN] }))).kind).toBe("notification");
  });

  it("an unexpected failure inside (here a broken cache) is a 500 outcome, never an exception", async () => {
    const cache = {
      get: () => {
        throw new Error("cache exploded");
      },
      set: () => undefined,
      delete: () => undefined,
      size: 0,
    };
    const outcome = refused(await unwrapSns(...post(signedNotification("{}")), { ...countingFetcher(), cache }));
    expect(outcome).toMatchObject({ status: 500, reason: "internal_error", message: expect.stringMatching(/a bug, please report it\): cache exploded$/) });
  });

  it("a fetcher that throws synchronously still yields an outcome, not an exception", async () => {
    const fetchCert = (() => {
      throw new Error("boom");
    }) as unknown as UnwrapDeps["fetchCert"];
    const outcome = refused(await unwrapSns(...post(signedNotification("{}")), { fetchCert }));
    expect(outcome).toMatchObject({ status: 503, reason: "cert_fetch_failed", message: expect.stringMatching(/boom$/) });
  });
});
