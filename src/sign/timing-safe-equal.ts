import { createHmac, randomBytes, timingSafeEqual as cryptoTimingSafeEqual } from "node:crypto";

// A key that exists only for the life of the process. Both inputs are HMAC'd with it before the
// comparison, so the bytes crypto.timingSafeEqual sees always have the same length (32) and nothing
// about where the inputs first differ, or how long the secret side is, can be learned from timing.
// (crypto.timingSafeEqual itself throws on different lengths, and a length check before it would be
// an early exit that reveals the expected length.) Reference: sinch-callbacks.md, Decisions (d).
const comparisonKey = randomBytes(32);

function digest(value: string | Uint8Array): Buffer {
  const mac = createHmac("sha256", comparisonKey);
  if (typeof value === "string") mac.update(value, "utf8");
  else mac.update(value);
  return mac.digest();
}

function byteLength(value: string | Uint8Array): number {
  return typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.byteLength;
}

/**
 * Constant-time equality of two strings or byte arrays (strings compare as their UTF-8 bytes).
 * The running time depends only on the input lengths, never on their contents.
 */
export function timingSafeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const sameDigest = cryptoTimingSafeEqual(digest(a), digest(b));
  // Equal digests already imply equal inputs (HMAC-SHA256 under a random key); the length check is
  // belt and braces, and it runs after the constant-time part so it cannot short-circuit it.
  const sameLength = byteLength(a) === byteLength(b);
  return sameDigest && sameLength;
}
