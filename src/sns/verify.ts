/**
 * SNS message signature verification with Node's crypto (no dependency), following AWS's
 * "Verifying the signature of an Amazon SNS message when using HTTP query-based requests"
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html):
 *
 * 1. SigningCertURL must be an AWS SNS URL (urls.ts) — checked before anything is fetched;
 * 2. fetch the X.509 certificate over HTTPS (cached: AWS names each certificate file by its hash,
 *    so one URL always holds the same certificate);
 * 3. build the string to sign for the message Type, and check `Signature` (Base64) against it with the
 *    certificate's RSA public key: SignatureVersion 1 = SHA1withRSA, 2 = SHA256withRSA
 *    (RSASSA-PKCS1-v1_5, Node's default padding for RSA keys).
 *
 * The certificate's own chain is not re-validated here: trust comes from fetching it over TLS (which
 * undici validates against the system CAs) from an allowlisted AWS host, which is what AWS's SDK
 * validators rely on too. Nothing in this module throws to its caller.
 */
import { verify as cryptoVerify, X509Certificate, type KeyObject } from "node:crypto";
import type { Dispatcher } from "undici";
import type { SnsEnvelope, SnsSignatureVersion } from "./envelope.js";
import { snsGet } from "./fetch.js";
import { checkCertUrl } from "./urls.js";

export { checkCertUrl, isTrustedCertUrl } from "./urls.js";

/** Resolves with the certificate as PEM text, or rejects. */
export type CertFetcher = (url: string) => Promise<string>;

export type SnsVerifyFailure = "untrusted_cert_url" | "cert_fetch_failed" | "bad_signature" | "unsupported_signature_version" | "malformed";

export type SnsVerification =
  | {
      ok: true;
      /** The normalised certificate URL the signature was checked against. */
      certUrl: string;
      /** True when the certificate came from the cache and nothing was fetched. */
      fromCache: boolean;
    }
  | { ok: false; reason: SnsVerifyFailure; message: string };

/** SHA1withRSA / SHA256withRSA, as Node names their digests. */
export const SNS_SIGNATURE_DIGEST: Record<SnsSignatureVersion, "sha1" | "sha256"> = { "1": "sha1", "2": "sha256" };

/**
 * The string AWS signs: "Key\nValue\n" for each field, in byte order of the key names
 * (sns-verify-signature-of-message-verify-message-signature.html, step 6):
 * - Notification: Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type;
 * - SubscriptionConfirmation and UnsubscribeConfirmation: Message, MessageId, SubscribeURL, Timestamp,
 *   Token, TopicArn, Type.
 * (The per-type format pages name only five fields for the confirmations; the verification page and AWS's
 * SDK validators include SubscribeURL and Token, and that is what SNS signs.)
 * Values are the JSON-decoded strings, so an escaped "\n" in the body is a real newline here.
 */
export function stringToSign(envelope: SnsEnvelope): string {
  const pairs: [string, string][] =
    envelope.Type === "Notification"
      ? [
          ["Message", envelope.Message],
          ["MessageId", envelope.MessageId],
          ...(envelope.Subject === undefined ? [] : ([["Subject", envelope.Subject]] as [string, string][])),
          ["Timestamp", envelope.Timestamp],
          ["TopicArn", envelope.TopicArn],
          ["Type", envelope.Type],
        ]
      : [
          ["Message", envelope.Message],
          ["MessageId", envelope.MessageId],
          ["SubscribeURL", envelope.SubscribeURL],
          ["Timestamp", envelope.Timestamp],
          ["Token", envelope.Token],
          ["TopicArn", envelope.TopicArn],
          ["Type", envelope.Type],
        ];
  return pairs.map(([key, value]) => `${key}\n${value}\n`).join("");
}

// ---------------------------------------------------------------------------------------------
// Certificate cache

/**
 * Public keys by normalised certificate URL. Entries are promises so that a burst of notifications
 * signed with a certificate not yet seen fetches it once, not once per message.
 */
export interface CertCache {
  get(url: string): Promise<KeyObject> | undefined;
  set(url: string, key: Promise<KeyObject>): void;
  delete(url: string): void;
  readonly size: number;
}

export interface CertCacheOptions {
  /** Most certificates kept; the least recently used goes first. SNS rotates certificates rarely. */
  maxEntries?: number;
}

/** A bounded LRU cache; give one to the listener for its whole life. */
export function createCertCache({ maxEntries = 32 }: CertCacheOptions = {}): CertCache {
  const limit = Math.max(1, Math.floor(maxEntries));
  const entries = new Map<string, Promise<KeyObject>>();
  return {
    get(url) {
      const hit = entries.get(url);
      if (hit !== undefined) {
        // Map keeps insertion order: re-inserting makes this the most recently used entry.
        entries.delete(url);
        entries.set(url, hit);
      }
      return hit;
    },
    set(url, key) {
      entries.delete(url);
      entries.set(url, key);
      while (entries.size > limit) entries.delete(entries.keys().next().value as string);
    },
    delete(url) {
      entries.delete(url);
    },
    get size() {
      return entries.size;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Verification

export interface VerifyDeps {
  fetchCert: CertFetcher;
  cache?: CertCache;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

async function loadKey(url: string, fetchCert: CertFetcher): Promise<KeyObject> {
  const pem = await fetchCert(url);
  if (typeof pem !== "string" || !pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new Error("the response is not a PEM certificate");
  }
  try {
    return new X509Certificate(pem).publicKey;
  } catch (err) {
    throw new Error(`the certificate cannot be read (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

/**
 * Verifies an SNS envelope's signature. The certificate URL is checked against the allowlist before
 * `fetchCert` is called; an untrusted URL is never passed to it.
 */
export async function verifySnsSignature(envelope: SnsEnvelope, { fetchCert, cache }: VerifyDeps): Promise<SnsVerification> {
  const version = envelope.SignatureVersion as string;
  if (version !== "1" && version !== "2") {
    return {
      ok: false,
      reason: "unsupported_signature_version",
      message: `SignatureVersion ${JSON.stringify(String(version)).slice(0, 40)} is not supported; SNS uses 1 (SHA1withRSA) or 2 (SHA256withRSA)`,
    };
  }
  if (typeof envelope.Signature !== "string" || envelope.Signature === "" || !BASE64.test(envelope.Signature)) {
    return { ok: false, reason: "malformed", message: "Signature is missing or not Base64" };
  }

  const checked = checkCertUrl(envelope.SigningCertURL);
  if (!checked.ok) return { ok: false, reason: "untrusted_cert_url", message: `${checked.why}; the certificate was not fetched` };
  const certUrl = checked.url.href;

  let pending = cache?.get(certUrl);
  const fromCache = pending !== undefined;
  if (pending === undefined) {
    pending = loadKey(certUrl, fetchCert);
    cache?.set(certUrl, pending);
  }
  let key: KeyObject;
  try {
    key = await pending;
  } catch (err) {
    // A failed fetch is not remembered: the next message gets a fresh try.
    if (cache?.get(certUrl) === pending) cache.delete(certUrl);
    return {
      ok: false,
      reason: "cert_fetch_failed",
      message: `could not get the SNS signing certificate ${certUrl}: ${oneLine(err instanceof Error ? err.message : String(err))}`,
    };
  }

  const digest = SNS_SIGNATURE_DIGEST[version];
  const algorithm = version === "1" ? "SHA1withRSA" : "SHA256withRSA";
  if (key.asymmetricKeyType !== "rsa") {
    return { ok: false, reason: "bad_signature", message: `the certificate at ${certUrl} holds a ${key.asymmetricKeyType ?? "non-RSA"} key; SNS signs with ${algorithm}` };
  }
  let valid: boolean;
  try {
    valid = cryptoVerify(digest, Buffer.from(stringToSign(envelope), "utf8"), key, Buffer.from(envelope.Signature, "base64"));
  } catch (err) {
    return { ok: false, reason: "bad_signature", message: `signature check failed: ${oneLine(err instanceof Error ? err.message : String(err))}` };
  }
  if (!valid) {
    return {
      ok: false,
      reason: "bad_signature",
      message: `${algorithm} signature does not match the ${envelope.Type} (certificate ${certUrl}): the message was changed after signing, or signed with another key`,
    };
  }
  return { ok: true, certUrl, fromCache };
}

// ---------------------------------------------------------------------------------------------
// The real certificate fetcher

export interface CertFetcherOptions {
  /** Per request, headers and body together. Default 10 s. */
  timeoutMs?: number;
  /** undici dispatcher; the global one when omitted. */
  dispatcher?: Dispatcher;
  /** Largest certificate accepted. Default 64 KiB (an SNS certificate is about 2 KiB). */
  maxBytes?: number;
}

/**
 * Fetches SNS signing certificates over HTTPS. It re-checks every URL against the allowlist itself and
 * refuses one that fails before any network I/O, so it is safe even if handed a URL straight from a
 * message. Redirects are not followed; only a 200 with a PEM body counts.
 */
export function createCertFetcher({ timeoutMs = 10_000, dispatcher, maxBytes = 64 * 1024 }: CertFetcherOptions = {}): CertFetcher {
  return async (raw) => {
    const checked = checkCertUrl(raw);
    if (!checked.ok) throw new Error(`refused to fetch: ${checked.why}`);
    const response = await snsGet(checked.url, { timeoutMs, maxBytes, ...(dispatcher === undefined ? {} : { dispatcher }) });
    if (response.status !== 200) throw new Error(`${checked.url.host} answered HTTP ${response.status}`);
    return response.body;
  };
}
