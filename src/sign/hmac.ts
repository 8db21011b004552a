/**
 * The SMS callback HMAC scheme (shared/reference/sinch-callbacks.md §4.2) and the stricter checks
 * sinch-hooks layers on top of it (Decisions (d)):
 *
 *   signedData = rawBody + "." + nonce + "." + timestamp
 *   signature  = Base64(HMAC-SHA256(key = UTF-8(secret), message = signedData))
 *
 * The official SDKs only recompute and compare (§7.3). Here all four headers are required, the
 * algorithm must be HmacSHA256, the comparison is constant-time, and a stale timestamp or a reused
 * nonce is reported as its own problem, separate from a bad signature, because it is unconfirmed
 * whether Sinch's retries repeat the original signature headers (§8 point 6).
 */
import { createHmac } from "node:crypto";
import { timingSafeEqual } from "./timing-safe-equal.js";

export const HMAC_HEADERS = {
  signature: "x-sinch-webhook-signature",
  nonce: "x-sinch-webhook-signature-nonce",
  timestamp: "x-sinch-webhook-signature-timestamp",
  algorithm: "x-sinch-webhook-signature-algorithm",
} as const;

/** The Java JCA name Sinch puts in the algorithm header (§4.2). */
export const HMAC_ALGORITHM = "HmacSHA256";

/** Default timestamp tolerance; Sinch gives no number (§4.2, §8 point 5), Decisions (d) picks 300 s. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Node's IncomingHttpHeaders shape (and undici's response headers). */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/**
 * A header value the sender controls, made safe to put in a message: JSON-quoted (control characters
 * escaped), C1 controls and DEL escaped too (JSON.stringify leaves them, and some terminals act on
 * U+009B), and cut to 64 characters so a hostile header cannot flood the log.
 */
export function quoteUntrusted(value: string): string {
  const cut = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return JSON.stringify(cut).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

// The timestamp is Unix epoch seconds as a decimal string (§4.2). No sign, no fraction, no exponent.
const DECIMAL_SECONDS = /^\d+$/;

function signature(secret: string, body: string | Uint8Array, nonce: string, timestamp: string): string {
  const mac = createHmac("sha256", Buffer.from(secret, "utf8"));
  // Feeding the parts one after another hashes exactly the bytes of the concatenation, without
  // copying a large body. A string body is hashed as its UTF-8 bytes, never as \u escapes (§4.2).
  if (typeof body === "string") mac.update(body, "utf8");
  else mac.update(body);
  mac.update(".");
  mac.update(nonce, "utf8");
  mac.update(".");
  mac.update(timestamp, "utf8");
  return mac.digest("base64");
}

export interface SignHmacInput {
  secret: string;
  /** The exact bytes that will be sent. A string is taken as UTF-8. */
  body: string | Uint8Array;
  nonce: string;
  /** Unix epoch seconds. */
  timestamp: number | string;
}

/** The four x-sinch-webhook-signature headers Sinch would send with `body` (lower-case names). */
export function signHmac({ secret, body, nonce, timestamp }: SignHmacInput): Record<string, string> {
  const ts = typeof timestamp === "number" ? (Number.isSafeInteger(timestamp) && timestamp >= 0 ? String(timestamp) : "") : timestamp;
  if (!DECIMAL_SECONDS.test(ts)) {
    // A fractional or negative timestamp would be signed as-is and then refused by every verifier.
    throw new RangeError(`timestamp must be whole Unix epoch seconds (got ${JSON.stringify(String(timestamp))})`);
  }
  return {
    [HMAC_HEADERS.signature]: signature(secret, body, nonce, ts),
    [HMAC_HEADERS.nonce]: nonce,
    [HMAC_HEADERS.timestamp]: ts,
    [HMAC_HEADERS.algorithm]: HMAC_ALGORITHM,
  };
}

// ---------------------------------------------------------------------------------------------
// Nonce memory

export type NonceCheck = { reused: false } | { reused: true; firstSeenMs: number };

export interface NonceCache {
  /** Was `nonce` remembered less than `windowMs` before `nowMs`? Older entries count as expired. */
  check(nonce: string, nowMs: number, windowMs: number): NonceCheck;
  /** Remember `nonce` as seen at `nowMs`. The oldest entry is evicted when the cache is full. */
  remember(nonce: string, nowMs: number): void;
  readonly size: number;
}

/**
 * A bounded nonce memory for the "nonce is unique" check the Conversation docs recommend (§4.2 step 3).
 * Bounded so a flood of distinct nonces cannot grow a long-running `listen` without limit; when full,
 * the oldest nonce is forgotten first, which is the one least likely to be replayed inside the window.
 */
export function createNonceCache({ maxEntries = 10_000 }: { maxEntries?: number } = {}): NonceCache {
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a whole number >= 1 (got ${maxEntries})`);
  // A Map iterates in insertion order, so its first key is the oldest remembered nonce.
  const seen = new Map<string, number>();
  // The window last asked about, so remember() can drop expired entries from the old end as it goes.
  let lastWindowMs = Number.POSITIVE_INFINITY;

  return {
    check(nonce, nowMs, windowMs) {
      lastWindowMs = windowMs;
      const firstSeenMs = seen.get(nonce);
      if (firstSeenMs === undefined) return { reused: false };
      if (nowMs - firstSeenMs > windowMs) {
        seen.delete(nonce);
        return { reused: false };
      }
      return { reused: true, firstSeenMs };
    },
    remember(nonce, nowMs) {
      seen.delete(nonce);
      seen.set(nonce, nowMs);
      for (const [oldest, at] of seen) {
        if (seen.size > maxEntries || nowMs - at > lastWindowMs) seen.delete(oldest);
        else break;
      }
    },
    get size() {
      return seen.size;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Verification

export type HmacProblem =
  | { code: "missing_header"; header: string; message: string }
  | { code: "wrong_algorithm"; algorithm: string; message: string }
  | { code: "bad_timestamp"; value: string; message: string }
  | { code: "bad_signature"; message: string }
  /** ageSeconds is negative for a timestamp in the future. */
  | { code: "stale_timestamp"; ageSeconds: number; message: string }
  | { code: "reused_nonce"; nonce: string; firstSeenSecondsAgo: number; message: string };

export interface HmacVerification {
  /** No problems at all. */
  ok: boolean;
  /** The signature matches the body, nonce and timestamp under the secret (freshness aside). */
  signatureValid: boolean;
  problems: HmacProblem[];
}

export interface VerifyHmacInput {
  secret: string;
  /** The raw request body bytes exactly as received (a string is taken as UTF-8). */
  body: string | Uint8Array;
  headers: HeaderBag;
  nowMs: number;
  /** Allowed distance between the timestamp and now, in seconds. 0 disables the timestamp check. */
  toleranceSeconds?: number;
  /** Give one to detect reused nonces; share it between requests. */
  nonceCache?: NonceCache;
}

/** Case-insensitive header lookup; an array value (a repeated header) counts as its first element, as the Node SDK does (§7.3). */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  name = name.toLowerCase();
  let value: string | string[] | undefined = headers[name];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        value = headers[key];
        if (value !== undefined) break;
      }
    }
  }
  return Array.isArray(value) ? value[0] : value;
}

function fail(problem: HmacProblem): HmacVerification {
  return { ok: false, signatureValid: false, problems: [problem] };
}

export function verifyHmac({ secret, body, headers, nowMs, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, nonceCache }: VerifyHmacInput): HmacVerification {
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) throw new RangeError(`toleranceSeconds must be >= 0 (got ${toleranceSeconds})`);

  // 1. All four headers (Decisions (d)). The Node SDK would sign the text "undefined" for a missing
  //    nonce or timestamp (§7.3); refusing is the only safe reading.
  const names = [HMAC_HEADERS.signature, HMAC_HEADERS.nonce, HMAC_HEADERS.timestamp, HMAC_HEADERS.algorithm];
  const values = names.map((name) => headerValue(headers, name));
  const missing = names.filter((_, i) => values[i] === undefined || values[i] === "");
  if (missing.length > 0) {
    const first = missing[0]!;
    let message = `missing header ${first}`;
    if (missing.length === names.length) message += " (no x-sinch-webhook-signature headers at all: is HMAC configured for this service plan?)";
    else if (missing.length > 1) message += ` (also missing: ${missing.slice(1).join(", ")})`;
    return fail({ code: "missing_header", header: first, message });
  }
  const [sig, nonce, timestamp, algorithm] = values as [string, string, string, string];

  // 2. Exactly HmacSHA256. Java would happily compute HmacSHA1 if told to (§7.3); Sinch only uses SHA-256.
  if (algorithm !== HMAC_ALGORITHM) {
    return fail({ code: "wrong_algorithm", algorithm, message: `algorithm ${quoteUntrusted(algorithm)} is not ${HMAC_ALGORITHM}` });
  }

  // 3. Decimal epoch seconds (§4.2). Checked before the HMAC so a malformed value gets a precise reason.
  if (!DECIMAL_SECONDS.test(timestamp) || !Number.isSafeInteger(Number(timestamp))) {
    return fail({ code: "bad_timestamp", value: timestamp, message: `timestamp ${quoteUntrusted(timestamp)} is not Unix epoch seconds (expected decimal digits such as 1736760161)` });
  }

  // 4. Recompute over the exact bytes and compare in constant time (Decisions (d)). The header
  //    strings are used exactly as received; nothing is trimmed or re-serialized.
  const expected = signature(secret, body, nonce, timestamp);
  if (!timingSafeEqual(sig, expected)) {
    return fail({ code: "bad_signature", message: "signature does not match the body (was the body re-serialized, or is the secret wrong?)" });
  }

  // 5. Freshness, only for a valid signature, and reported separately so the caller decides whether
  //    to refuse: a Sinch retry may repeat its original headers (§8 point 6, Decisions (d)).
  const problems: HmacProblem[] = [];
  const ts = Number(timestamp);
  if (toleranceSeconds > 0) {
    const ageSeconds = Math.floor(nowMs / 1000) - ts;
    if (Math.abs(ageSeconds) > toleranceSeconds) {
      const when = ageSeconds >= 0 ? `${ageSeconds} s old` : `${-ageSeconds} s in the future`;
      // A 13-digit value is almost certainly milliseconds; Sinch sends seconds (§4.2).
      const hint = timestamp.length >= 13 ? "; it looks like milliseconds, Sinch sends seconds" : "";
      problems.push({ code: "stale_timestamp", ageSeconds, message: `timestamp is ${when} (tolerance ${toleranceSeconds} s)${hint}` });
    }
  }

  if (nonceCache) {
    // A nonce must be unique within the tolerance window (Decisions (d)). With the timestamp check
    // disabled there is no window, so nonces are remembered for as long as the bounded cache keeps them.
    const windowMs = toleranceSeconds > 0 ? toleranceSeconds * 1000 : Number.POSITIVE_INFINITY;
    const seen = nonceCache.check(nonce, nowMs, windowMs);
    if (seen.reused) {
      const firstSeenSecondsAgo = Math.max(0, Math.floor((nowMs - seen.firstSeenMs) / 1000));
      problems.push({ code: "reused_nonce", nonce, firstSeenSecondsAgo, message: `nonce ${nonce} was already used ${firstSeenSecondsAgo} s ago` });
    } else {
      // Only a valid signature is remembered: otherwise anyone could "burn" a nonce Sinch will use.
      // A reused nonce keeps its first-seen time so the report says how long ago it was first used.
      nonceCache.remember(nonce, nowMs);
    }
  }

  return { ok: problems.length === 0, signatureValid: true, problems };
}
