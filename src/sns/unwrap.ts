/**
 * The one SNS entry point for the listener: called with the raw request before its normal decision, it
 * says whether the request came through SNS and, if so, what to do with it.
 *
 *   not SNS                    → { kind: "not-sns" }: carry on as for a direct Sinch callback
 *   raw message delivery       → { kind: "raw" }: the HTTP body *is* the callback (nothing to verify)
 *   Notification               → verify, then { kind: "notification", innerBody }: the callback is the
 *                                Message string's UTF-8 bytes, exactly
 *   SubscriptionConfirmation   → verify, then { kind: "confirmation" } (confirmed here when deps.confirm is given)
 *   UnsubscribeConfirmation    → verify, then { kind: "unsubscribe" }: show it, nothing else
 *   anything wrong             → { kind: "refused", status, reason, message }
 *
 * Statuses for refusals: 400 for an envelope that is not SNS's format (SNS does not retry a 4xx, and
 * a malformed body will not improve), 403 for an authentication failure (unsigned, bad signature,
 * untrusted certificate URL, unexpected topic), and 503 when the certificate could not be fetched:
 * that failure is ours, not the sender's, and SNS retries server errors
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html), so the message is not lost.
 *
 * Raw message delivery (subscription attribute RawMessageDelivery=true): SNS still sends its headers,
 * adds `x-amz-sns-rawdelivery: true`, and posts the published message itself as the body, with no JSON
 * envelope and so no signature (https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html).
 * Only notifications are ever raw; confirmations stay JSON envelopes, so they are parsed as usual.
 *
 * Nothing here throws: every path returns an outcome.
 */
import type { HeaderBag } from "../sign/hmac.js";
import { confirmSubscription, type ConfirmFetch, type ConfirmMode, type ConfirmResult } from "./confirm.js";
import {
  detectSns,
  isSnsMessageType,
  parseEnvelope,
  SNS_MESSAGE_TYPES,
  type SnsDetection,
  type SnsMessageType,
  type SnsNotification,
  type SnsSignatureVersion,
  type SnsSubscriptionControl,
} from "./envelope.js";
import { checkSubscribeUrl, printableUrl } from "./urls.js";
import { verifySnsSignature, type CertCache, type CertFetcher } from "./verify.js";

/** How a message came through SNS: everything the listener prints next to the callback. */
export interface SnsVia {
  messageType: SnsMessageType;
  /** The envelope's TopicArn (signed), or for raw delivery the x-amz-sns-topic-arn header (not signed). */
  topicArn: string | undefined;
  messageId: string | undefined;
  /** x-amz-sns-subscription-arn header: which subscription delivered it. Not signed. */
  subscriptionArn: string | undefined;
  /** The envelope's Timestamp (when SNS published it); absent for raw delivery. */
  timestamp: string | undefined;
  subject: string | undefined;
  rawDelivery: boolean;
  /** True only when the SNS signature was checked and matched. */
  verified: boolean;
  signatureVersion: SnsSignatureVersion | undefined;
  /** The certificate the signature was checked against. */
  certUrl: string | undefined;
  /** The certificate came from the cache (no fetch for this message). */
  certFromCache: boolean | undefined;
}

export type SnsRefusalReason =
  | "malformed"
  | "unsigned"
  | "unsupported_signature_version"
  | "untrusted_cert_url"
  | "cert_fetch_failed"
  | "bad_signature"
  | "unexpected_topic"
  | "internal_error";

export type SnsOutcome =
  | { kind: "not-sns" }
  | {
      kind: "raw";
      /** The HTTP body as received: with raw delivery it is the published message itself. */
      innerBody: Buffer;
      verified: false;
      via: SnsVia;
    }
  | {
      kind: "notification";
      /** The Message string's UTF-8 bytes: the Sinch callback as Sinch published it. */
      innerBody: Buffer;
      envelope: SnsNotification;
      verified: true;
      via: SnsVia;
    }
  | {
      kind: "confirmation";
      envelope: SnsSubscriptionControl;
      verified: true;
      /** SNS only needs a 2xx for the POST itself; confirming is the GET of subscribeUrl. */
      status: 200;
      subscribeUrl: string;
      /** Whether subscribeUrl passed the AWS host check (auto-confirmation only follows trusted ones). */
      subscribeUrlTrusted: boolean;
      /** Present when deps.confirm was given: what the auto or manual confirmation did. */
      confirmation: ConfirmResult | undefined;
      via: SnsVia;
    }
  | {
      kind: "unsubscribe";
      envelope: SnsSubscriptionControl;
      verified: true;
      status: 200;
      via: SnsVia;
    }
  | {
      kind: "refused";
      status: 400 | 403 | 500 | 503;
      reason: SnsRefusalReason;
      /** One sentence, safe to print and to send back as the response body. */
      message: string;
      /** What was known about the message before it was refused (from headers, or the parsed envelope). */
      via: Partial<SnsVia> | undefined;
    };

export interface UnwrapDeps {
  fetchCert: CertFetcher;
  /** Share one createCertCache() across requests so each certificate is fetched once. */
  cache?: CertCache;
  /**
   * Topics the developer expects. AWS advises refusing messages from any other TopicArn
   * (sns-verify-signature-of-message.html, "Reject any message with an unexpected TopicArn").
   * Undefined or empty: any topic.
   */
  expectedTopicArns?: readonly string[];
  /** Confirm SubscriptionConfirmation messages here; omit to call confirmSubscription() yourself. */
  confirm?: { mode: ConfirmMode; fetchUrl?: ConfirmFetch };
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Header values are sender-controlled and end up on a terminal line: no control characters, bounded.
function clean(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
  return flat.length > 256 ? `${flat.slice(0, 256)}…` : flat;
}

function headerVia(detected: SnsDetection, messageType: SnsMessageType | undefined): Partial<SnsVia> {
  return {
    ...(messageType === undefined ? {} : { messageType }),
    topicArn: clean(detected.topicArn),
    messageId: clean(detected.messageId),
    subscriptionArn: clean(detected.subscriptionArn),
    rawDelivery: detected.rawDelivery,
    verified: false,
  };
}

function refuse(status: 400 | 403 | 500 | 503, reason: SnsRefusalReason, message: string, via: Partial<SnsVia> | undefined): SnsOutcome {
  return { kind: "refused", status, reason, message, via };
}

function topicAllowed(topicArn: string | undefined, expected: readonly string[] | undefined): boolean {
  if (expected === undefined || expected.length === 0) return true;
  return topicArn !== undefined && expected.includes(topicArn);
}

function unexpectedTopic(topicArn: string | undefined, expected: readonly string[]): string {
  const got = topicArn === undefined ? "no topic" : `topic ${JSON.stringify(clean(topicArn))}`;
  return `SNS message from ${got} refused: expected ${expected.map((t) => JSON.stringify(t)).join(" or ")}`;
}

/**
 * Reads an SNS delivery. `body` is the exact request body; `headers` are the request headers
 * (node:http's IncomingHttpHeaders fits).
 */
export async function unwrapSns(headers: HeaderBag, body: Buffer, deps: UnwrapDeps): Promise<SnsOutcome> {
  try {
    return await unwrap(headers, body, deps);
  } catch (err) {
    // Every step above returns its failures; reaching this is a sinch-hooks bug. A 500 makes SNS retry.
    const detail = err instanceof Error ? err.message : String(err);
    return refuse(500, "internal_error", `sinch-hooks failed while reading the SNS message (a bug, please report it): ${clean(detail)}`, undefined);
  }
}

async function unwrap(headers: HeaderBag, body: Buffer, deps: UnwrapDeps): Promise<SnsOutcome> {
  const detected = detectSns(headers);
  if (detected === null) return { kind: "not-sns" };

  if (detected.rawDelivery && detected.messageType === "Notification") {
    const via: SnsVia = {
      messageType: "Notification",
      topicArn: clean(detected.topicArn),
      messageId: clean(detected.messageId),
      subscriptionArn: clean(detected.subscriptionArn),
      timestamp: undefined,
      subject: undefined,
      rawDelivery: true,
      verified: false,
      signatureVersion: undefined,
      certUrl: undefined,
      certFromCache: undefined,
    };
    if (!topicAllowed(detected.topicArn, deps.expectedTopicArns)) {
      return refuse(403, "unexpected_topic", unexpectedTopic(detected.topicArn, deps.expectedTopicArns ?? []), via);
    }
    return { kind: "raw", innerBody: body, verified: false, via };
  }

  if (!isSnsMessageType(detected.messageType)) {
    return refuse(
      400,
      "malformed",
      `x-amz-sns-message-type ${JSON.stringify(clean(detected.messageType))} is not one of ${SNS_MESSAGE_TYPES.join(", ")}`,
      headerVia(detected, undefined),
    );
  }
  const messageType = detected.messageType;

  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return refuse(400, "malformed", "SNS envelope is not valid UTF-8", headerVia(detected, messageType));
  }
  const parsed = parseEnvelope(text, messageType);
  if (!parsed.ok) {
    const via = headerVia(detected, messageType);
    if (parsed.problem === "unsigned") return refuse(403, "unsigned", parsed.reason, via);
    if (parsed.problem === "unsupported_signature_version") return refuse(400, "unsupported_signature_version", parsed.reason, via);
    return refuse(400, "malformed", parsed.reason, via);
  }
  const envelope = parsed.envelope;

  // Cleaned like the headers: until the signature is checked these are sender-controlled too, and a
  // genuine SNS message has no control characters in them, so cleaning never alters a real one.
  const via: SnsVia = {
    messageType,
    topicArn: clean(envelope.TopicArn),
    messageId: clean(envelope.MessageId),
    subscriptionArn: clean(detected.subscriptionArn),
    timestamp: clean(envelope.Timestamp),
    subject: envelope.Type === "Notification" ? clean(envelope.Subject) : undefined,
    rawDelivery: false,
    verified: false,
    signatureVersion: envelope.SignatureVersion,
    certUrl: undefined,
    certFromCache: undefined,
  };

  // SNS sets these headers from the same message (http-header.html); a difference means the request was
  // assembled by something else, and the headers are what a proxy or log would show.
  if (detected.messageId !== undefined && detected.messageId !== envelope.MessageId) {
    return refuse(400, "malformed", `x-amz-sns-message-id ${JSON.stringify(clean(detected.messageId))} does not match the envelope MessageId ${JSON.stringify(clean(envelope.MessageId))}`, via);
  }
  if (detected.topicArn !== undefined && detected.topicArn !== envelope.TopicArn) {
    return refuse(400, "malformed", `x-amz-sns-topic-arn ${JSON.stringify(clean(detected.topicArn))} does not match the envelope TopicArn ${JSON.stringify(clean(envelope.TopicArn))}`, via);
  }
  // Before the certificate fetch: a message from a topic nobody expects is not worth a network request.
  if (!topicAllowed(envelope.TopicArn, deps.expectedTopicArns)) {
    return refuse(403, "unexpected_topic", unexpectedTopic(envelope.TopicArn, deps.expectedTopicArns ?? []), via);
  }

  const verification = await verifySnsSignature(envelope, { fetchCert: deps.fetchCert, ...(deps.cache === undefined ? {} : { cache: deps.cache }) });
  if (!verification.ok) {
    const status = verification.reason === "cert_fetch_failed" ? 503 : verification.reason === "malformed" || verification.reason === "unsupported_signature_version" ? 400 : 403;
    return refuse(status, verification.reason, `SNS ${messageType} refused: ${verification.message}`, via);
  }
  via.verified = true;
  via.certUrl = verification.certUrl;
  via.certFromCache = verification.fromCache;

  if (envelope.Type === "Notification") {
    // Message is the JSON-decoded string, so its UTF-8 encoding gives back the bytes that were
    // published (parseEnvelope has already refused strings with no UTF-8 form).
    return { kind: "notification", innerBody: Buffer.from(envelope.Message, "utf8"), envelope, verified: true, via };
  }
  if (envelope.Type === "UnsubscribeConfirmation") {
    return { kind: "unsubscribe", envelope, verified: true, status: 200, via };
  }
  const subscribe = checkSubscribeUrl(envelope.SubscribeURL);
  const confirmation = deps.confirm === undefined ? undefined : await confirmSubscription(envelope, deps.confirm);
  return {
    kind: "confirmation",
    envelope,
    verified: true,
    status: 200,
    subscribeUrl: subscribe.ok ? subscribe.url.href : printableUrl(envelope.SubscribeURL),
    subscribeUrlTrusted: subscribe.ok,
    confirmation,
    via,
  };
}

function shortId(id: string): string {
  return id.length > 13 ? `${id.slice(0, 8)}…` : id;
}

/**
 * One line for the terminal, e.g.
 *   arrived through SNS (topic arn:aws:sns:us-east-1:123456789012:sinch-sms, message 6f1e2d3c…, signature v2 verified)
 *   arrived through SNS raw delivery (topic arn:…, message 6f1e2d3c…, not signed: raw delivery carries no signature)
 */
export function describeSnsVia(via: Partial<SnsVia>): string {
  const parts: string[] = [];
  parts.push(via.topicArn === undefined ? "topic unknown" : `topic ${clean(via.topicArn)}`);
  if (via.messageId !== undefined) parts.push(`message ${shortId(clean(via.messageId) ?? "")}`);
  if (via.rawDelivery === true) parts.push("not signed: raw delivery carries no signature");
  else if (via.verified === true) parts.push(`signature v${via.signatureVersion ?? "?"} verified`);
  else parts.push("signature not verified");
  return `arrived through SNS${via.rawDelivery === true ? " raw delivery" : ""} (${parts.join(", ")})`;
}
