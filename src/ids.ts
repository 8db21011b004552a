import { randomBytes } from "node:crypto";

// Crockford base32, as used by ULIDs: Sinch's ids and signature nonces look like
// 01JHFFHWYY7HSS4FWTMDTQEK8V (26 characters; shared/reference/sinch-callbacks.md §4.2).
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID-style id: 10 characters of millisecond time, 16 of randomness. */
export function ulid(nowMs: number = Date.now(), random: (n: number) => Uint8Array = randomBytes): string {
  let time = "";
  let t = Math.max(0, Math.floor(nowMs));
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = random(16);
  let rand = "";
  for (let i = 0; i < 16; i++) rand += ALPHABET[bytes[i]! % 32];
  return time + rand;
}
