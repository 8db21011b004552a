/**
 * Authentication for requests we send as Sinch would: HMAC signatures (fresh nonce and timestamp per
 * request, over the exact bytes sent), Basic, OAuth 2.0 client-credentials bearer tokens (cached until
 * they expire), and custom headers. Shared by replay, simulate-retries and check.
 */
import type { Dispatcher } from "undici";
import { UsageError } from "../errors.js";
import { ulid } from "../ids.js";
import { basicAuthorization } from "../sign/basic.js";
import { signHmac } from "../sign/hmac.js";
import { createTokenCache, requestAccessToken, type TokenCache } from "../sign/oauth.js";

export interface AuthOptions {
  hmacSecret?: string;
  /** Fixed nonce / timestamp for reproducible runs (--nonce / --timestamp). */
  nonce?: string;
  timestamp?: number;
  basic?: { user: string; password: string };
  oauth?: { tokenUrl: string; clientId: string; clientSecret: string };
  /** --header "K: V" (repeatable), already parsed. */
  headers?: Record<string, string>;
}

export interface Authenticator {
  /** Headers for one request carrying exactly `body`. Each call signs afresh (new nonce, current time). */
  headersFor(body: Buffer): Promise<Record<string, string>>;
  /** Drops a cached OAuth token (e.g. after a 401) so the next request fetches a new one. */
  invalidateToken(): void;
  /** Human summary for banners, without secrets: "HMAC + Basic (user sinch)". */
  describe(): string;
}

export function createAuthenticator(opts: AuthOptions, deps: { now: () => number; dispatcher?: Dispatcher }): Authenticator {
  let tokens: TokenCache | undefined;
  if (opts.oauth) {
    const oauth = opts.oauth;
    tokens = createTokenCache(() => requestAccessToken({ tokenUrl: oauth.tokenUrl, clientId: oauth.clientId, clientSecret: oauth.clientSecret }, { dispatcher: deps.dispatcher, now: deps.now }), deps.now);
  }
  return {
    async headersFor(body) {
      const out: Record<string, string> = { "content-type": "application/json", ...opts.headers };
      if (opts.basic) out.authorization = basicAuthorization(opts.basic.user, opts.basic.password);
      if (tokens) out.authorization = `Bearer ${(await tokens.get()).accessToken}`;
      if (opts.hmacSecret) {
        const now = deps.now();
        Object.assign(
          out,
          signHmac({ secret: opts.hmacSecret, body, nonce: opts.nonce ?? ulid(now), timestamp: opts.timestamp ?? Math.floor(now / 1000) }),
        );
      }
      return out;
    },
    invalidateToken() {
      tokens?.invalidate();
    },
    describe() {
      const parts: string[] = [];
      if (opts.hmacSecret) parts.push(opts.nonce || opts.timestamp !== undefined ? "HMAC (fixed nonce/timestamp)" : "HMAC");
      if (opts.basic) parts.push(`Basic (user ${opts.basic.user})`);
      if (opts.oauth) parts.push(`OAuth bearer (client ${opts.oauth.clientId})`);
      if (opts.headers && Object.keys(opts.headers).length) parts.push(`${Object.keys(opts.headers).length} custom header(s)`);
      return parts.length ? parts.join(" + ") : "none";
    },
  };
}

/** --header "Name: value" → [name, value]. */
export function parseHeaderFlag(value: string): [string, string] {
  const i = value.indexOf(":");
  const name = i > 0 ? value.slice(0, i).trim() : "";
  if (!name || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UsageError(`--header must look like "Name: value" (got "${value}")`, 'e.g. --header "X-Env: staging"');
  }
  const v = value.slice(i + 1).trim();
  if ([...v].some((c) => c.charCodeAt(0) < 0x20 && c !== "\t")) throw new UsageError(`--header ${name}: the value must not contain control characters`);
  return [name.toLowerCase(), v];
}

/** Header values that must never be printed: credentials and signatures stay recognisable but masked. */
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k === "authorization" || k === "proxy-authorization") out[k] = `${v.split(" ")[0] ?? ""} ••••••`;
    else if (k === "cookie") out[k] = "••••••";
    else out[k] = v;
  }
  return out;
}
