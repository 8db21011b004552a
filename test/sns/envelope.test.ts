import { describe, expect, it } from "vitest";
import { detectSns, parseEnvelope } from "../../src/sns/envelope.js";
import { signedControl, signedNotification, SUBSCRIPTION_ARN, TOPIC_ARN } from "../helpers/sns-fake-aws.js";

const notification = signedNotification('{"type":"mo_text"}', { Subject: "Sinch" });
const confirmation = signedControl("SubscriptionConfirmation");

function without(doc: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...doc };
  delete copy[key];
  return copy;
}

function parse(doc: unknown, header?: string) {
  return parseEnvelope(JSON.stringify(doc), header);
}

describe("detectSns", () => {
  it("is null without x-amz-sns-message-type, whatever the content type", () => {
    expect(detectSns({ "content-type": "text/plain; charset=UTF-8" })).toBeNull();
    expect(detectSns({})).toBeNull();
  });

  it("reads SNS's headers, case-insensitively", () => {
    expect(
      detectSns({
        "X-Amz-Sns-Message-Type": "Notification",
        "x-amz-sns-message-id": "id-1",
        "x-amz-sns-topic-arn": TOPIC_ARN,
        "x-amz-sns-subscription-arn": SUBSCRIPTION_ARN,
      }),
    ).toEqual({ messageType: "Notification", rawDelivery: false, messageId: "id-1", topicArn: TOPIC_ARN, subscriptionArn: SUBSCRIPTION_ARN });
  });

  it("flags raw message delivery only for x-amz-sns-rawdelivery: true", () => {
    expect(detectSns({ "x-amz-sns-message-type": "Notification", "x-amz-sns-rawdelivery": "true" })?.rawDelivery).toBe(true);
    expect(detectSns({ "x-amz-sns-message-type": "Notification", "x-amz-sns-rawdelivery": "TRUE" })?.rawDelivery).toBe(true);
    expect(detectSns({ "x-amz-sns-message-type": "Notification", "x-amz-sns-rawdelivery": "false" })?.rawDelivery).toBe(false);
  });

  it("passes an unknown message type through for the caller to refuse", () => {
    expect(detectSns({ "x-amz-sns-message-type": "Bogus" })?.messageType).toBe("Bogus");
  });
});

describe("parseEnvelope: well-formed", () => {
  it("parses a Notification, keeping only documented fields", () => {
    const result = parse({ ...notification, MessageAttributes: { a: { Type: "String", Value: "b" } } }, "Notification");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.envelope).toEqual(notification);
  });

  it("parses a SubscriptionConfirmation and an UnsubscribeConfirmation", () => {
    expect(parse(confirmation, "SubscriptionConfirmation")).toEqual({ ok: true, envelope: confirmation });
    const unsubscribe = signedControl("UnsubscribeConfirmation");
    expect(parse(unsubscribe, "UnsubscribeConfirmation")).toEqual({ ok: true, envelope: unsubscribe });
  });

  it("accepts no header type (the caller may not have one) and Subject: null as no subject", () => {
    const result = parse({ ...without(notification, "Subject"), Subject: null }, undefined);
    expect(result.ok && result.envelope.Type === "Notification" && result.envelope.Subject).toBe(undefined);
  });
});

describe("parseEnvelope: precise reasons", () => {
  it("body that is not JSON names the line and column", () => {
    const result = parseEnvelope('{\n  "Type": "Notification",\n  oops\n}', "Notification");
    expect(result).toMatchObject({ ok: false, problem: "not_json" });
    expect(!result.ok && result.reason).toMatch(/line 3, column 3/);
  });

  it.each([
    ["an array", []],
    ["null", null],
    ["a string", "Notification"],
  ])("JSON that is %s is not an envelope", (what, doc) => {
    expect(parse(doc, "Notification")).toEqual({ ok: false, problem: "not_object", reason: `SNS envelope must be a JSON object, got ${what}` });
  });

  it("missing, non-string, unknown or mismatched Type", () => {
    expect(parse(without(notification, "Type"), "Notification")).toMatchObject({ ok: false, problem: "missing_type" });
    expect(parse({ ...notification, Type: 7 }, "Notification")).toMatchObject({ ok: false, problem: "wrong_type", fields: ["Type"] });
    expect(parse({ ...notification, Type: "Bogus" }, undefined)).toMatchObject({ ok: false, problem: "unknown_type" });
    expect(parse(notification, "SubscriptionConfirmation")).toEqual({
      ok: false,
      problem: "type_mismatch",
      reason: 'SNS envelope Type "Notification" does not match the x-amz-sns-message-type header "SubscriptionConfirmation"',
      fields: ["Type"],
    });
  });

  it.each(["MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"])(
    "Notification without %s is refused, naming the field",
    (field) => {
      expect(parse(without(notification, field), "Notification")).toEqual({
        ok: false,
        problem: "missing_field",
        reason: `SNS Notification envelope is missing ${field}`,
        fields: [field],
      });
    },
  );

  it.each(["MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"])(
    "SubscriptionConfirmation without %s is refused, naming the field",
    (field) => {
      expect(parse(without(confirmation, field), "SubscriptionConfirmation")).toMatchObject({ ok: false, problem: "missing_field", fields: [field] });
    },
  );

  it("lists every missing field at once", () => {
    const doc = without(without(confirmation, "Token"), "SubscribeURL");
    expect(parse(doc, "SubscriptionConfirmation")).toEqual({
      ok: false,
      problem: "missing_field",
      reason: "SNS SubscriptionConfirmation envelope is missing Token, SubscribeURL",
      fields: ["Token", "SubscribeURL"],
    });
  });

  it("non-string fields are refused with their JSON type", () => {
    expect(parse({ ...notification, Message: { type: "mo_text" } }, "Notification")).toEqual({
      ok: false,
      problem: "wrong_type",
      reason: "SNS Notification envelope fields must be strings: Message (an object)",
      fields: ["Message"],
    });
    expect(parse({ ...notification, SignatureVersion: 2, Timestamp: null }, "Notification")).toMatchObject({
      ok: false,
      problem: "wrong_type",
      fields: ["Timestamp", "SignatureVersion"],
    });
    expect(parse({ ...notification, Subject: 5 }, "Notification")).toMatchObject({ ok: false, problem: "wrong_type", fields: ["Subject"] });
  });

  it.each(["3", "", "v2", "1.0"])("SignatureVersion %j is not supported", (version) => {
    const result = parse({ ...notification, SignatureVersion: version }, "Notification");
    expect(result).toMatchObject({ ok: false, problem: "unsupported_signature_version", fields: ["SignatureVersion"] });
    expect(!result.ok && result.reason).toContain("AWS documents 1 = SHA1withRSA and 2 = SHA256withRSA");
  });

  it("an envelope with neither Signature nor SigningCertURL is called unsigned", () => {
    const doc = without(without(without(notification, "Signature"), "SigningCertURL"), "SignatureVersion");
    const result = parse(doc, "Notification");
    expect(result).toMatchObject({ ok: false, problem: "unsigned", fields: ["Signature", "SigningCertURL"] });
    expect(!result.ok && result.reason).toMatch(/unsigned .*did not come from SNS/);
    expect(parse({ ...notification, Signature: "", SigningCertURL: "" }, "Notification")).toMatchObject({ problem: "unsigned" });
  });

  it("an empty or non-Base64 Signature is refused", () => {
    expect(parse({ ...notification, Signature: "" }, "Notification")).toMatchObject({ problem: "bad_value", reason: "SNS envelope Signature is empty" });
    expect(parse({ ...notification, Signature: "not base64!" }, "Notification")).toMatchObject({ problem: "bad_value", reason: "SNS envelope Signature is not Base64" });
  });

  it("a Message with an unpaired surrogate has no UTF-8 form and is refused", () => {
    const text = JSON.stringify(notification).replace('{\\"type\\":\\"mo_text\\"}', "\\ud83d broken");
    expect(parseEnvelope(text, "Notification")).toMatchObject({ ok: false, problem: "bad_value", fields: ["Message"] });
  });

  it("quotes and cuts a hostile Type instead of echoing it", () => {
    const result = parse({ ...notification, Type: `\u001b[31m${"x".repeat(200)}` }, undefined);
    expect(!result.ok && result.reason).toContain("\\u001b[31m");
    expect(!result.ok && result.reason).not.toContain("x".repeat(100));
  });
});
