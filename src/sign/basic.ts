/**
 * HTTP Basic authentication for callbacks (RFC 7617). Sinch offers "Basic authentication" for SMS
 * callbacks but does not spell out the header (shared/reference/sinch-callbacks.md §4.1); Decisions (e)
 * takes the standard `Authorization: Basic base64(user:password)` with UTF-8 credentials.
 */
import { quoteUntrusted } from "./hmac.js";
import { timingSafeEqual } from "./timing-safe-equal.js";

export interface BasicCredentials {
  user: string;
  password: string;
}

/** `Basic base64(UTF-8 "user:password")`. RFC 7617 §2: the user-id cannot contain a colon. */
export function basicAuthorization(user: string, password: string): string {
  if (user.includes(":")) throw new RangeError("a Basic auth user name cannot contain a colon (RFC 7617 §2)");
  return `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
}

// token68 as Basic uses it: standard Base64, padding optional (some clients drop it).
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function splitScheme(header: string): { scheme: string; rest: string } {
  const trimmed = header.trim();
  const space = trimmed.search(/\s/);
  if (space === -1) return { scheme: trimmed, rest: "" };
  return { scheme: trimmed.slice(0, space), rest: trimmed.slice(space).trim() };
}

/**
 * Decodes `Authorization: Basic …`. The scheme is case-insensitive (RFC 7235 §2.1), surrounding and
 * repeated spaces are tolerated, and the decoded text is split on the FIRST colon because the
 * password may contain colons (RFC 7617 §2). Returns null for anything that is not valid Basic.
 */
export function parseBasicAuthorization(header: string | undefined): BasicCredentials | null {
  if (header === undefined) return null;
  const { scheme, rest } = splitScheme(header);
  if (scheme.toLowerCase() !== "basic") return null;
  if (!BASE64.test(rest) || rest.replace(/=+$/, "").length % 4 === 1) return null;
  let decoded: string;
  try {
    decoded = utf8.decode(Buffer.from(rest, "base64"));
  } catch {
    return null; // RFC 7617 §2.1: the charset is UTF-8; invalid UTF-8 is not a credential.
  }
  const colon = decoded.indexOf(":");
  if (colon === -1) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * How to name an unexpected Authorization scheme in a message without leaking a credential: a header
 * holding only a bare token or base64 blob has no scheme at all, and that blob must not be echoed.
 */
export function describeScheme(header: string): string {
  const { scheme, rest } = splitScheme(header);
  if (rest === "") return "the Authorization header has no scheme";
  if (/^[A-Za-z][A-Za-z0-9-]{0,19}$/.test(scheme)) return `Authorization scheme is ${quoteUntrusted(scheme)}`;
  return "Authorization scheme is not recognised";
}

export type BasicCheck =
  | { ok: true }
  | { ok: false; reason: "missing" | "malformed" | "wrong_credentials" | "wrong_scheme"; message: string };

/** Checks an Authorization header against the expected credentials, in constant time. */
export function checkBasic(header: string | undefined, expected: BasicCredentials): BasicCheck {
  if (header === undefined || header.trim() === "") {
    return { ok: false, reason: "missing", message: "no Authorization header (expected HTTP Basic credentials)" };
  }
  const { scheme } = splitScheme(header);
  if (scheme.toLowerCase() !== "basic") {
    return { ok: false, reason: "wrong_scheme", message: `${describeScheme(header)}, expected Basic` };
  }
  const given = parseBasicAuthorization(header);
  if (given === null) {
    return { ok: false, reason: "malformed", message: "Authorization: Basic value is not base64 of UTF-8 user:password" };
  }
  // Both comparisons always run (no && short-circuit), so timing does not say which part was wrong.
  const userOk = timingSafeEqual(given.user, expected.user);
  const passwordOk = timingSafeEqual(given.password, expected.password);
  if (!(userOk && passwordOk)) {
    // The message echoes neither side: it may be shown to the caller, and the user name came from them.
    return { ok: false, reason: "wrong_credentials", message: "Basic credentials do not match the expected user and password" };
  }
  return { ok: true };
}
