/**
 * Building SNS Notification envelopes for `replay` / `simulate-retries --sns-envelope`: the payload goes
 * into `Message`, and the request carries the headers SNS sends to an HTTP/HTTPS subscription
 * (https://docs.aws.amazon.com/sns/latest/dg/http-header.html,
 *  https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html).
 *
 * Only AWS can produce a signature that a real SNS verifier accepts, because only AWS holds the key
 * behind the certificates at sns.<region>.amazonaws.com. So an envelope is either
 * - unsigned: no Signature, SigningCertURL or SignatureVersion at all (empty values would only look
 *   real), for apps that skip SNS verification in development; or
 * - test-signed: signed with the developer's own RSA key exactly as SNS signs (SignatureVersion 1 =
 *   SHA1withRSA, 2 = SHA256withRSA, over verify.ts' string to sign), with SigningCertURL pointing at the
 *   matching certificate, for apps whose verification is redirected to that certificate in development.
 * The returned `note` says which, in words fit to print.
 *
 * Pure apart from the defaults for MessageId (a random UUID) and Timestamp (now); pass both for
 * reproducible output. Bad options come back as { ok: false, option, reason }, never as a throw.
 */
import { createPrivateKey, randomUUID, sign as cryptoSign, type KeyObject } from "node:crypto";
import { SNS_HEADERS, type SnsNotification, type SnsSignatureVersion } from "./envelope.js";
import { SNS_SIGNATURE_DIGEST, stringToSign } from "./verify.js";

/** For the lead's --sns-envelope help text: the plain warning the issue asks for. */
export const SNS_ENVELOPE_HELP =
  "Wraps each payload in an SNS Notification envelope with SNS's HTTP headers. Real SNS messages are signed by AWS " +
  "and no offline tool can make that signature: unsigned envelopes (the default) or envelopes signed with " +
  "--sns-signing-key/--sns-cert-url only suit apps that skip SNS signature verification, or point it at your test " +
  "certificate, in development.";

/** Amazon SNS's default content type for HTTP/HTTPS deliveries (http-header.html). */
export const SNS_CONTENT_TYPE = "text/plain; charset=UTF-8";

/** SNS's publish limit for a message: 256 KiB (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html). */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

export interface SnsSigning {
  /** PEM (PKCS#8 or PKCS#1) RSA private key of the developer's test certificate. */
  privateKeyPem: string;
  /** Where the app under test will look for the certificate: goes into SigningCertURL. */
  certUrl: string;
  version: SnsSignatureVersion;
}

export interface WrapOptions {
  /** arn:aws:sns:<region>:<account>:<topic> */
  topicArn: string;
  /** Default: a random UUID (SNS's MessageId is a UUID). */
  messageId?: string;
  /** Default: now. SNS writes ISO 8601 in UTC with milliseconds, e.g. 2026-11-27T13:21:44.123Z. */
  timestamp?: Date | string;
  /** SNS Subject: optional, printable ASCII, at most 100 characters. */
  subject?: string;
  /** When given: the x-amz-sns-subscription-arn header and an UnsubscribeURL, as SNS sends. */
  subscriptionArn?: string;
  signing?: SnsSigning;
}

export type WrapResult =
  | {
      ok: true;
      /** The JSON envelope, UTF-8. */
      body: Buffer;
      headers: Record<string, string>;
      /** The envelope as an object, fields in AWS's order. */
      envelope: Readonly<Record<string, string>>;
      signed: boolean;
      /** Says plainly what kind of app will accept this envelope. */
      note: string;
    }
  | { ok: false; option: keyof WrapOptions | "innerBody" | "signing.privateKeyPem" | "signing.certUrl" | "signing.version"; reason: string };

// Topic names: up to 256 letters, digits, hyphens and underscores, ".fifo" for FIFO topics
// (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html). Partitions: aws, aws-cn, aws-us-gov, ….
const TOPIC_ARN = /^arn:(aws[a-z-]*):sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
// Printable ASCII without line breaks: the Subject rules of API_Publish.
const SUBJECT = /^[\x20-\x7e]{1,100}$/;
// eslint-disable-next-line no-control-regex
const HEADER_SAFE = /^[^\u0000-\u001f\u007f]+$/;
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function failure(option: Extract<WrapResult, { ok: false }>["option"], reason: string): WrapResult {
  return { ok: false, option, reason };
}

/** The SNS endpoint host of a topic's region: amazonaws.com.cn for the aws-cn partition. */
function snsHost(topicArn: string): string | undefined {
  const m = TOPIC_ARN.exec(topicArn);
  if (m === null) return undefined;
  return `sns.${m[2]!}.amazonaws.com${m[1] === "aws-cn" ? ".cn" : ""}`;
}

/** Wraps `innerBody` (a Sinch callback, exact bytes) as an SNS Notification. */
export function wrapAsSnsNotification(innerBody: Buffer, options: WrapOptions): WrapResult {
  const { topicArn, subject, subscriptionArn, signing } = options;

  if (typeof topicArn !== "string" || !TOPIC_ARN.test(topicArn)) {
    return failure("topicArn", `${JSON.stringify(String(topicArn)).slice(0, 120)} is not an SNS topic ARN (arn:aws:sns:<region>:<12-digit account>:<topic name>)`);
  }
  let message: string;
  try {
    // ignoreBOM keeps a leading BOM in the string, so the receiver gets back exactly these bytes.
    message = UTF8.decode(innerBody);
  } catch {
    return failure("innerBody", "the payload is not valid UTF-8; an SNS Message is a UTF-8 string");
  }
  if (innerBody.byteLength > SNS_MAX_MESSAGE_BYTES) {
    return failure("innerBody", `the payload is ${innerBody.byteLength} bytes; SNS messages are at most ${SNS_MAX_MESSAGE_BYTES} bytes`);
  }

  const messageId = options.messageId ?? randomUUID();
  if (messageId === "" || !HEADER_SAFE.test(messageId)) {
    return failure("messageId", "messageId must be non-empty and free of control characters (it is also a header)");
  }

  let timestamp: string;
  if (options.timestamp === undefined) timestamp = new Date().toISOString();
  else if (options.timestamp instanceof Date) {
    if (Number.isNaN(options.timestamp.getTime())) return failure("timestamp", "timestamp is an invalid Date");
    timestamp = options.timestamp.toISOString();
  } else {
    if (!ISO_UTC.test(options.timestamp) || Number.isNaN(Date.parse(options.timestamp))) {
      return failure("timestamp", `timestamp ${JSON.stringify(options.timestamp).slice(0, 60)} is not ISO 8601 UTC like 2026-11-27T13:21:44.123Z`);
    }
    timestamp = options.timestamp;
  }

  if (subject !== undefined && !SUBJECT.test(subject)) {
    return failure("subject", "subject must be 1 to 100 printable ASCII characters with no line breaks (the SNS Publish rule)");
  }
  if (subscriptionArn !== undefined && (!subscriptionArn.startsWith(`${topicArn}:`) || !HEADER_SAFE.test(subscriptionArn))) {
    return failure("subscriptionArn", `subscriptionArn must be the topic ARN followed by ":<subscription id>" (${topicArn}:…)`);
  }

  let key: KeyObject | undefined;
  if (signing !== undefined) {
    if (signing.version !== "1" && signing.version !== "2") {
      return failure("signing.version", `signature version ${JSON.stringify(String(signing.version))} is not 1 (SHA1withRSA) or 2 (SHA256withRSA)`);
    }
    try {
      key = createPrivateKey(signing.privateKeyPem);
    } catch (err) {
      return failure("signing.privateKeyPem", `the signing key cannot be read as a PEM private key (${err instanceof Error ? err.message : String(err)})`);
    }
    if (key.asymmetricKeyType !== "rsa") {
      return failure("signing.privateKeyPem", `the signing key is ${key.asymmetricKeyType ?? "not RSA"}; SNS signatures are RSA (SHA1withRSA / SHA256withRSA)`);
    }
    let certUrl: URL | undefined;
    try {
      certUrl = new URL(signing.certUrl);
    } catch {
      certUrl = undefined;
    }
    if (certUrl === undefined || !HEADER_SAFE.test(signing.certUrl)) {
      return failure("signing.certUrl", `${JSON.stringify(String(signing.certUrl)).slice(0, 120)} is not an absolute URL for SigningCertURL`);
    }
  }

  // Field order follows AWS's sample Notification (http-notification-json.html).
  const envelope: Record<string, string> = { Type: "Notification", MessageId: messageId, TopicArn: topicArn };
  if (subject !== undefined) envelope.Subject = subject;
  envelope.Message = message;
  envelope.Timestamp = timestamp;
  if (signing !== undefined && key !== undefined) {
    const unsigned: SnsNotification = {
      Type: "Notification",
      MessageId: messageId,
      TopicArn: topicArn,
      Message: message,
      Timestamp: timestamp,
      SignatureVersion: signing.version,
      Signature: "",
      SigningCertURL: signing.certUrl,
      ...(subject === undefined ? {} : { Subject: subject }),
    };
    envelope.SignatureVersion = signing.version;
    envelope.Signature = cryptoSign(SNS_SIGNATURE_DIGEST[signing.version], Buffer.from(stringToSign(unsigned), "utf8"), key).toString("base64");
    envelope.SigningCertURL = signing.certUrl;
  }
  if (subscriptionArn !== undefined) {
    envelope.UnsubscribeURL = `https://${snsHost(topicArn)!}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`;
  }

  const headers: Record<string, string> = {
    "content-type": SNS_CONTENT_TYPE,
    [SNS_HEADERS.messageType]: "Notification",
    [SNS_HEADERS.messageId]: messageId,
    [SNS_HEADERS.topicArn]: topicArn,
  };
  if (subscriptionArn !== undefined) headers[SNS_HEADERS.subscriptionArn] = subscriptionArn;

  const note =
    signing === undefined
      ? "Unsigned SNS envelope (no Signature, SigningCertURL or SignatureVersion): only an app that skips SNS signature verification in development will accept it; a verifying app, or sinch-hooks listen, refuses it."
      : `SNS envelope signed with a test key, not by AWS (SignatureVersion ${signing.version}, SigningCertURL ${signing.certUrl}): only an app whose verification is redirected to that test certificate in development will accept it.`;

  return {
    ok: true,
    // Two-space indentation: SNS's own bodies are pretty-printed JSON, and apps parse either.
    body: Buffer.from(JSON.stringify(envelope, null, 2), "utf8"),
    headers,
    envelope,
    signed: signing !== undefined,
    note,
  };
}
