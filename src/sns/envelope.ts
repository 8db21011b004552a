/**
 * Recognising and parsing the JSON envelope Amazon SNS posts to an HTTP/HTTPS subscription.
 *
 * Sinch can deliver SMS callbacks through an SNS topic (shared/reference/sinch-sms-webhooks-doc.txt,
 * "AWS SNS"). The developer's endpoint then receives SNS's own messages, documented by AWS at
 *   https://docs.aws.amazon.com/sns/latest/dg/http-header.html                         (headers)
 *   https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html              (Notification)
 *   https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html (SubscriptionConfirmation)
 *   https://docs.aws.amazon.com/sns/latest/dg/http-unsubscribe-confirmation-json.html  (UnsubscribeConfirmation)
 *
 * Everything here is pure: text and headers in, a parsed envelope or a precise reason out. Nothing throws.
 */
import type { HeaderBag } from "../sign/hmac.js";
import { quoteUntrusted } from "../sign/hmac.js";
import { parseJson } from "../validate/parse.js";

/** SNS's header names (lower case, as node:http and undici present them). */
export const SNS_HEADERS = {
  messageType: "x-amz-sns-message-type",
  messageId: "x-amz-sns-message-id",
  topicArn: "x-amz-sns-topic-arn",
  subscriptionArn: "x-amz-sns-subscription-arn",
  /** Added with the value `true` when the subscription has RawMessageDelivery enabled. */
  rawDelivery: "x-amz-sns-rawdelivery",
} as const;

export const SNS_MESSAGE_TYPES = ["SubscriptionConfirmation", "Notification", "UnsubscribeConfirmation"] as const;
export type SnsMessageType = (typeof SNS_MESSAGE_TYPES)[number];

/** SNS signs with SHA1withRSA (1, the topic default) or SHA256withRSA (2). */
export type SnsSignatureVersion = "1" | "2";

interface SnsEnvelopeBase {
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: SnsSignatureVersion;
  /** Base64. */
  Signature: string;
  SigningCertURL: string;
}

/** Field names keep AWS's spelling, so the string to sign can name them as the docs do. */
export interface SnsNotification extends SnsEnvelopeBase {
  Type: "Notification";
  /** Present only when the publisher gave one. */
  Subject?: string;
  UnsubscribeURL?: string;
}

export interface SnsSubscriptionControl extends SnsEnvelopeBase {
  Type: "SubscriptionConfirmation" | "UnsubscribeConfirmation";
  Token: string;
  SubscribeURL: string;
}

export type SnsEnvelope = SnsNotification | SnsSubscriptionControl;

export interface SnsDetection {
  /** The x-amz-sns-message-type header as sent: one of SNS_MESSAGE_TYPES, or whatever a sender put there. */
  messageType: SnsMessageType | (string & {});
  /** x-amz-sns-rawdelivery: true — the body is the published message itself, with no envelope. */
  rawDelivery: boolean;
  messageId: string | undefined;
  topicArn: string | undefined;
  subscriptionArn: string | undefined;
}

/** Header lookup that does not depend on the caller having lower-cased the names. */
export function headerOf(headers: HeaderBag, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    const wanted = name.toLowerCase();
    for (const [key, v] of Object.entries(headers)) {
      if (key.toLowerCase() === wanted) {
        value = v;
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  // node:http joins repeated unknown headers with ", " already; an array only comes from other callers.
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * Is this request an SNS HTTP delivery? SNS marks every POST with x-amz-sns-message-type (http-header.html),
 * and posts JSON as `text/plain; charset=UTF-8` by default (a delivery policy may change the content type),
 * so the header, not the content type, is the signal.
 */
export function detectSns(headers: HeaderBag): SnsDetection | null {
  const messageType = headerOf(headers, SNS_HEADERS.messageType);
  if (messageType === undefined) return null;
  return {
    messageType: messageType.trim(),
    rawDelivery: (headerOf(headers, SNS_HEADERS.rawDelivery) ?? "").trim().toLowerCase() === "true",
    messageId: headerOf(headers, SNS_HEADERS.messageId)?.trim(),
    topicArn: headerOf(headers, SNS_HEADERS.topicArn)?.trim(),
    subscriptionArn: headerOf(headers, SNS_HEADERS.subscriptionArn)?.trim(),
  };
}

export function isSnsMessageType(value: string): value is SnsMessageType {
  return (SNS_MESSAGE_TYPES as readonly string[]).includes(value);
}

export type EnvelopeProblem =
  | "not_json"
  | "not_object"
  | "missing_type"
  | "unknown_type"
  | "type_mismatch"
  | "unsigned"
  | "missing_field"
  | "wrong_type"
  | "unsupported_signature_version"
  | "bad_value";

export type ParseEnvelopeResult =
  | { ok: true; envelope: SnsEnvelope }
  | {
      ok: false;
      problem: EnvelopeProblem;
      /** One sentence, safe to print: sender-controlled values are quoted and cut. */
      reason: string;
      /** The envelope fields concerned, in AWS's order, when the problem is about fields. */
      fields?: string[];
    };

// The fields each type must carry, in the order AWS's format pages list them.
const COMMON_FIELDS = ["Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"] as const;
const REQUIRED: Record<SnsMessageType, readonly string[]> = {
  Notification: COMMON_FIELDS,
  SubscriptionConfirmation: [...COMMON_FIELDS.slice(0, 2), "Token", ...COMMON_FIELDS.slice(2), "SubscribeURL"],
  UnsubscribeConfirmation: [...COMMON_FIELDS.slice(0, 2), "Token", ...COMMON_FIELDS.slice(2), "SubscribeURL"],
};
// Optional, but a string when present.
const OPTIONAL: Record<SnsMessageType, readonly string[]> = {
  Notification: ["Subject", "UnsubscribeURL"],
  SubscriptionConfirmation: [],
  UnsubscribeConfirmation: [],
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// A UTF-16 surrogate without its partner: such a string has no UTF-8 form, so it cannot be the text of
// a callback body, and it could not have been signed as bytes either.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function fail(problem: EnvelopeProblem, reason: string, fields?: string[]): ParseEnvelopeResult {
  return fields === undefined ? { ok: false, problem, reason } : { ok: false, problem, reason, fields };
}

function blank(value: unknown): boolean {
  return value === undefined || value === "";
}

/**
 * Parses an SNS envelope body. `headerType` is the x-amz-sns-message-type header (undefined when the
 * caller has none); SNS always sends it equal to the body's Type, so a difference means the request was
 * not built by SNS, and is refused rather than guessed at.
 */
export function parseEnvelope(bodyText: string, headerType: string | undefined): ParseEnvelopeResult {
  const parsed = parseJson(bodyText);
  if (!parsed.ok) {
    return fail("not_json", `SNS envelope is not JSON: ${parsed.message} (line ${parsed.line}, column ${parsed.column})`);
  }
  const doc = parsed.value;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    return fail("not_object", `SNS envelope must be a JSON object, got ${describeType(doc)}`);
  }
  const fields = doc as Record<string, unknown>;

  const type = fields.Type;
  if (type === undefined) return fail("missing_type", "SNS envelope has no Type field", ["Type"]);
  if (typeof type !== "string") return fail("wrong_type", `SNS envelope field Type must be a string, got ${describeType(type)}`, ["Type"]);
  if (headerType !== undefined && headerType !== type) {
    return fail(
      "type_mismatch",
      `SNS envelope Type ${quoteUntrusted(type)} does not match the x-amz-sns-message-type header ${quoteUntrusted(headerType)}`,
      ["Type"],
    );
  }
  if (!isSnsMessageType(type)) {
    return fail("unknown_type", `SNS envelope Type ${quoteUntrusted(type)} is not one of ${SNS_MESSAGE_TYPES.join(", ")}`, ["Type"]);
  }

  // Checked before the general "missing" rule so that an envelope built without signing (sinch-hooks'
  // own --sns-envelope without a key, or a hand-made test request) gets a reason that says so.
  if (blank(fields.Signature) && blank(fields.SigningCertURL)) {
    return fail(
      "unsigned",
      "SNS envelope is unsigned (no Signature or SigningCertURL); Amazon SNS signs every message it sends, so this one did not come from SNS",
      ["Signature", "SigningCertURL"],
    );
  }

  const missing: string[] = [];
  const wrong: string[] = [];
  for (const name of REQUIRED[type]) {
    const value = fields[name];
    if (value === undefined) missing.push(name);
    else if (typeof value !== "string") wrong.push(`${name} (${describeType(value)})`);
  }
  for (const name of OPTIONAL[type]) {
    const value = fields[name];
    // Subject: null is read as "no subject" — AWS omits the pair when there is none
    // (http-notification-json.html), and the signature check decides whether that reading was right.
    if (value !== undefined && value !== null && typeof value !== "string") wrong.push(`${name} (${describeType(value)})`);
  }
  if (missing.length > 0) {
    return fail("missing_field", `SNS ${type} envelope is missing ${missing.join(", ")}`, missing);
  }
  if (wrong.length > 0) {
    return fail("wrong_type", `SNS ${type} envelope fields must be strings: ${wrong.join(", ")}`, wrong.map((w) => w.split(" ")[0]!));
  }

  const version = fields.SignatureVersion as string;
  if (version !== "1" && version !== "2") {
    return fail(
      "unsupported_signature_version",
      `SNS SignatureVersion ${quoteUntrusted(version)} is not supported (AWS documents 1 = SHA1withRSA and 2 = SHA256withRSA)`,
      ["SignatureVersion"],
    );
  }
  const signature = fields.Signature as string;
  if (signature === "" || !BASE64.test(signature)) {
    return fail("bad_value", signature === "" ? "SNS envelope Signature is empty" : "SNS envelope Signature is not Base64", ["Signature"]);
  }
  for (const name of ["Message", "Subject"] as const) {
    const value = fields[name];
    if (typeof value === "string" && LONE_SURROGATE.test(value)) {
      return fail("bad_value", `SNS envelope ${name} is not valid Unicode (it holds an unpaired surrogate escape)`, [name]);
    }
  }

  return { ok: true, envelope: pick(type, fields) };
}

/** Copies only the documented fields, so nothing unexpected rides along into the typed envelope. */
function pick(type: SnsMessageType, fields: Record<string, unknown>): SnsEnvelope {
  const base = {
    MessageId: fields.MessageId as string,
    TopicArn: fields.TopicArn as string,
    Message: fields.Message as string,
    Timestamp: fields.Timestamp as string,
    SignatureVersion: fields.SignatureVersion as SnsSignatureVersion,
    Signature: fields.Signature as string,
    SigningCertURL: fields.SigningCertURL as string,
  };
  if (type === "Notification") {
    const notification: SnsNotification = { Type: type, ...base };
    if (typeof fields.Subject === "string") notification.Subject = fields.Subject;
    if (typeof fields.UnsubscribeURL === "string") notification.UnsubscribeURL = fields.UnsubscribeURL;
    return notification;
  }
  return { Type: type, ...base, Token: fields.Token as string, SubscribeURL: fields.SubscribeURL as string };
}
