/**
 * Pure flag parsers. Each throws a UsageError that names the flag and says what a valid value looks like,
 * so `sinch-hooks listen --port abc` reads "--port must be ..." rather than a commander default.
 */
import { UsageError } from "../errors.js";

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "500ms", "30s", "5m", "1h", or a bare number of milliseconds. Returns milliseconds. */
export function parseDuration(flag: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(value);
  if (!m) throw new UsageError(`${flag} must be a duration such as 500ms, 30s or 5m (got "${value}")`, `e.g. ${flag} 30s`);
  const n = Number(m[1]) * durationUnits[(m[2] ?? "ms").toLowerCase()]!;
  if (!Number.isFinite(n)) throw new UsageError(`${flag} is too large (got "${value}")`);
  return Math.round(n);
}

/** Whole seconds for flags like --oauth-token-ttl and --signature-tolerance; "5m" and "300" both work. */
export function parseSeconds(flag: string, value: string): number {
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  return Math.round(parseDuration(flag, value) / 1000);
}

const sizeUnits: Record<string, number> = { b: 1, kb: 1024, k: 1024, mb: 1024 * 1024, m: 1024 * 1024 };

/** "1mb", "512kb", "2048" (bytes). */
export function parseByteSize(flag: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m)?\s*$/i.exec(value);
  if (!m) throw new UsageError(`${flag} must be a size such as 1mb, 512kb or 2048 (got "${value}")`);
  const n = Math.floor(Number(m[1]) * sizeUnits[(m[2] ?? "b").toLowerCase()]!);
  if (n < 1) throw new UsageError(`${flag} must be at least 1 byte`);
  return n;
}

export function parsePort(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a port number from 0 to 65535 (got "${value}")`, "use 0 to pick a free port");
  const n = Number(value);
  if (n > 65535) throw new UsageError(`${flag} must be a port number from 0 to 65535 (got "${value}")`, "use 0 to pick a free port");
  return n;
}

export function parsePositiveInt(flag: string, value: string, min = 1): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new UsageError(`${flag} must be a whole number >= ${min} (got "${value}")`);
  return Number(value);
}

export interface Credentials {
  user: string;
  password: string;
}

/** "user:pass", split on the first colon as RFC 7617 does (the password may contain colons). */
export function parseCredentials(flag: string, value: string): Credentials {
  const i = value.indexOf(":");
  if (i <= 0 || i === value.length - 1) throw new UsageError(`${flag} must be user:password (got a value without both parts)`, `e.g. ${flag} sinch:s3cret`);
  const user = value.slice(0, i);
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw new UsageError(`${flag} must not contain control characters`);
  return { user, password: value.slice(i + 1) };
}

export function parseUrl(flag: string, value: string, protocols: readonly string[] = ["http:", "https:"]): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} must be a full URL such as http://localhost:3000/sinch (got "${value}")`);
  }
  if (!protocols.includes(url.protocol)) throw new UsageError(`${flag} must use ${protocols.map((p) => p.replace(":", "")).join(" or ")} (got "${url.protocol.replace(":", "")}")`);
  return url;
}

/** "a,b,c" → ["a","b","c"], trimmed, empties dropped. */
export function parseList(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * "20", "20/s", "0.5/s", "600/m" (also /sec, /min) → per second. One grammar for replay's and
 * simulate-retries' --rate; `what` names the unit in the message ("requests", "callbacks").
 */
export function parseRate(flag: string, value: string, what = "requests"): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i.exec(value);
  const n = m ? Number(m[1]) / (m[2] && m[2].toLowerCase().startsWith("m") ? 60 : 1) : NaN;
  if (!m || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${flag} must be a number of ${what} per second or per minute, above 0 (got "${value}")`, `e.g. ${flag} 20/s or ${flag} 600/m`);
  }
  return n;
}

// Visible ASCII only: a nonce goes verbatim into an HTTP header and into a shell (curl) command.
const NONCE = /^[\x21-\x7e]+$/;

/** --nonce for HMAC signing (sign, replay). `hint` says what leaving it out does for that command. */
export function parseNonce(value: string, hint: string): string {
  if (!NONCE.test(value)) throw new UsageError("--nonce must be non-empty visible ASCII without spaces", `e.g. --nonce 01JHFFHWYY7HSS4FWTMDTQEK8V, or ${hint}`);
  return value;
}

/**
 * --timestamp for HMAC signing: Sinch sends whole epoch seconds as decimal digits (sinch-callbacks.md
 * §4.2); anything else would sign a value every verifier (ours included) refuses.
 */
export function parseEpochSeconds(value: string, hint: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--timestamp must be Unix epoch seconds as decimal digits (got "${value}")`, `e.g. --timestamp 1736760161, or ${hint}`);
  }
  return Number(value);
}
