/**
 * OAuth 2.0 for SMS callbacks, both sides.
 *
 * Sinch provisions "username, password and the URL from which Sinch obtains an access token" but does
 * not publish the exchange (shared/reference/sinch-callbacks.md §4.1, §8 point 9). Decisions (e) models
 * it as the RFC 6749 §4.4 client-credentials grant: POST to the token URL with the username/password as
 * HTTP Basic and `grant_type=client_credentials`, read `{"access_token","token_type":"Bearer","expires_in"}`,
 * then send `Authorization: Bearer <token>` on callbacks. This is an ASSUMPTION, not Sinch's documented
 * behaviour; callers should label it as such.
 *
 * - Client side (`replay`, acting as Sinch): requestAccessToken, createTokenCache.
 * - Server side (`listen`, acting as the developer's token endpoint): createTokenStore,
 *   handleTokenRequest, checkBearer.
 */
import { randomBytes } from "node:crypto";
import type { Dispatcher } from "undici";
import { NetworkError } from "../errors.js";
import { basicAuthorization, describeScheme, parseBasicAuthorization } from "./basic.js";
import { headerValue, quoteUntrusted, type HeaderBag } from "./hmac.js";
import { timingSafeEqual } from "./timing-safe-equal.js";

export const OAUTH_TOKEN_PATH = "/oauth/token";

const TOKEN_ERROR_CODE = "SH_OAUTH_TOKEN";
const EXPECTED_SHAPE = 'expected {"access_token": "…", "token_type": "Bearer", "expires_in": 3600} (RFC 6749 §5.1)';

// ---------------------------------------------------------------------------------------------
// Client side

export interface AccessToken {
  accessToken: string;
  tokenType: string;
  /** Epoch milliseconds, or null when the server sent no expires_in. */
  expiresAt: number | null;
}

export interface RequestAccessTokenInput {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
}

export interface RequestAccessTokenDeps {
  dispatcher?: Dispatcher;
  /** Clock for expiresAt; Date.now by default. */
  now?: () => number;
}

/** The URL as it may appear in a message: no user-info, no query (either could carry a secret). */
function displayUrl(tokenUrl: string): string {
  try {
    const url = new URL(tokenUrl);
    return `${url.origin}${url.pathname}`;
  } catch {
    return "the token URL";
  }
}

/** One line, bounded, and free of anything secret (the server may echo what it received). */
function sanitize(text: string, secrets: readonly string[]): string {
  let out = text.replace(/\s+/g, " ").trim();
  // Very short secrets are not replaced: blanking every "a" in a message helps nobody, and a
  // server that echoes a 1-2 character secret has told the caller nothing they did not send.
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join("***");
  return out.length > 200 ? `${out.slice(0, 200)}…` : out;
}

function tokenError(message: string, hint: string, cause?: unknown): NetworkError {
  return new NetworkError(message, { code: TOKEN_ERROR_CODE, hint, cause });
}

function connectFailure(err: unknown, where: string, timeoutMs: number, timedOut: boolean): NetworkError {
  const code = (err as { code?: string } | undefined)?.code;
  if (timedOut || code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return tokenError(`OAuth token request to ${where} timed out after ${timeoutMs} ms`, "check that the token server is up and answering; the timeout is per request", err);
  }
  if (code === "ECONNREFUSED") {
    return tokenError(`OAuth token request to ${where} failed: connection refused`, "is the token server running on that host and port?", err);
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return tokenError(`OAuth token request to ${where} failed: host not found`, "check the host name in the token URL", err);
  }
  const detail = code ?? (err instanceof Error ? err.message : String(err));
  return tokenError(`OAuth token request to ${where} failed: ${sanitize(detail, [])}`, "check the token URL and that the server speaks HTTP(S)", err);
}

/**
 * Obtains an access token with the client-credentials grant (Decisions (e), an assumption about Sinch).
 * Client credentials go in HTTP Basic as-is, exactly as the Basic callback option would send them
 * (RFC 7617); RFC 6749 §2.3.1's extra form-encoding is not applied, since nothing says Sinch does it.
 * Every failure is a NetworkError with code SH_OAUTH_TOKEN; no message contains the secret or a token.
 */
export async function requestAccessToken(
  { tokenUrl, clientId, clientSecret, timeoutMs = 10_000 }: RequestAccessTokenInput,
  { dispatcher, now = Date.now }: RequestAccessTokenDeps = {},
): Promise<AccessToken> {
  const where = displayUrl(tokenUrl);
  let authorization: string;
  try {
    authorization = basicAuthorization(clientId, clientSecret);
  } catch {
    throw tokenError("OAuth client id cannot contain a colon (HTTP Basic, RFC 7617 §2)", "use the client id exactly as configured, without the password");
  }
  const secrets = [clientSecret, authorization.slice("Basic ".length)];

  // Loaded here, not at the top: only commands that talk to a token server pay for undici.
  const { request } = await import("undici");
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(tokenUrl, {
      method: "POST",
      headers: {
        authorization,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: "grant_type=client_credentials",
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(dispatcher ? { dispatcher } : {}),
    });
  } catch (err) {
    throw connectFailure(err, where, timeoutMs, signal.aborted);
  }

  let text: string;
  try {
    text = await response.body.text();
  } catch (err) {
    throw connectFailure(err, where, timeoutMs, signal.aborted);
  }

  let json: unknown;
  let isJson = true;
  try {
    json = JSON.parse(text);
  } catch {
    isJson = false;
  }
  const fields = isJson && typeof json === "object" && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const status = response.statusCode;

  if (status < 200 || status > 299) {
    // RFC 6749 §5.2 error body: {"error": "invalid_client", "error_description": "…"}.
    const error = typeof fields?.error === "string" ? fields.error : undefined;
    const description = typeof fields?.error_description === "string" ? fields.error_description : undefined;
    let message = `OAuth token URL ${where} answered HTTP ${status}`;
    if (error) message += ` ${sanitize(error, secrets)}`;
    if (description) message += `: ${sanitize(description, secrets)}`;
    let hint = "the token endpoint refused the client-credentials request";
    if (error === "invalid_client" || status === 401) hint = "check the OAuth client id and secret";
    else if (error === "unsupported_grant_type") hint = "the server does not support grant_type=client_credentials, which sinch-hooks assumes Sinch uses (an assumption, not documented)";
    else if (status >= 300 && status < 400) hint = "redirects are not followed; use the final token URL";
    else if (status >= 500) hint = "the token server failed; check its logs";
    throw tokenError(message, hint);
  }

  if (!isJson) {
    throw tokenError(`OAuth token URL ${where} answered HTTP ${status} but the body is not JSON`, EXPECTED_SHAPE);
  }
  const accessToken = fields?.access_token;
  if (typeof accessToken !== "string" || accessToken === "") {
    throw tokenError(`OAuth token URL ${where} answered HTTP ${status} without an access_token`, EXPECTED_SHAPE);
  }
  // RFC 6749 requires token_type; a missing one is read as Bearer, the only type callbacks use (Decisions (e)).
  const tokenType = typeof fields?.token_type === "string" && fields.token_type !== "" ? fields.token_type : "Bearer";
  const expiresIn = typeof fields?.expires_in === "string" && /^\d+$/.test(fields.expires_in) ? Number(fields.expires_in) : fields?.expires_in;
  const expiresAt = typeof expiresIn === "number" && Number.isFinite(expiresIn) && expiresIn >= 0 ? now() + expiresIn * 1000 : null;
  return { accessToken, tokenType, expiresAt };
}

export interface TokenCache {
  /** A cached token, or a fresh one when none is cached or it expires within 30 s. */
  get(): Promise<AccessToken>;
  /** Forget the cached token, e.g. after the endpoint answered 401 to it. */
  invalidate(): void;
}

/** Refresh this long before expiry, so a token cannot expire between fetching it and the callback arriving. */
const REFRESH_MARGIN_MS = 30_000;

/**
 * Caches one token until 30 s before it expires. A token without expires_in is kept until
 * invalidate(). Concurrent callers share one in-flight request; a failed request is not cached.
 */
export function createTokenCache(fetcher: () => Promise<AccessToken>, now: () => number = Date.now): TokenCache {
  let cached: AccessToken | undefined;
  let inFlight: Promise<AccessToken> | undefined;
  return {
    get() {
      if (cached && (cached.expiresAt === null || now() < cached.expiresAt - REFRESH_MARGIN_MS)) return Promise.resolve(cached);
      if (!inFlight) {
        inFlight = fetcher().then(
          (token) => {
            cached = token;
            inFlight = undefined;
            return token;
          },
          (err: unknown) => {
            inFlight = undefined;
            throw err;
          },
        );
      }
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Server side

export type TokenCheck = { ok: true } | { ok: false; reason: "unknown" | "expired" };

export interface TokenStore {
  issue(nowMs: number): { accessToken: string; expiresIn: number };
  check(token: string, nowMs: number): TokenCheck;
  readonly size: number;
}

export interface TokenStoreOptions {
  ttlSeconds: number;
  maxTokens?: number;
  random?: (n: number) => Uint8Array;
}

/**
 * Opaque bearer tokens held in memory: 32 random bytes, base64url (RFC 6750 b64token-safe). Bounded:
 * when full, the oldest token is dropped; with one TTL for all, the oldest is also the first to expire.
 * Expired tokens are kept until evicted so a late callback is told "expired" rather than "unknown".
 */
export function createTokenStore({ ttlSeconds, maxTokens = 10_000, random = randomBytes }: TokenStoreOptions): TokenStore {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError(`ttlSeconds must be a whole number >= 1 (got ${ttlSeconds})`);
  if (!Number.isSafeInteger(maxTokens) || maxTokens < 1) throw new RangeError(`maxTokens must be a whole number >= 1 (got ${maxTokens})`);
  const expiries = new Map<string, number>(); // token → expiry (epoch ms), oldest first
  return {
    issue(nowMs) {
      const accessToken = Buffer.from(random(32)).toString("base64url");
      while (expiries.size >= maxTokens) {
        const oldest = expiries.keys().next().value as string;
        expiries.delete(oldest);
      }
      expiries.set(accessToken, nowMs + ttlSeconds * 1000);
      return { accessToken, expiresIn: ttlSeconds };
    },
    check(token, nowMs) {
      // A Map lookup is not constant-time, but a 256-bit random token cannot be guessed from timing.
      const expiresAt = expiries.get(token);
      if (expiresAt === undefined) return { ok: false, reason: "unknown" };
      if (nowMs >= expiresAt) return { ok: false, reason: "expired" };
      return { ok: true };
    },
    get size() {
      return expiries.size;
    },
  };
}

export interface TokenRequest {
  method: string;
  headers: HeaderBag;
  body: Buffer;
}

export interface TokenResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

function tokenResponse(status: number, payload: Record<string, unknown>, extra: Record<string, string> = {}): TokenResponse {
  return {
    status,
    // RFC 6749 §5.1: token responses must not be cached; Pragma for HTTP/1.0 caches.
    headers: { "content-type": "application/json;charset=UTF-8", "cache-control": "no-store", pragma: "no-cache", ...extra },
    body: JSON.stringify(payload),
  };
}

function oauthError(status: number, error: string, description: string, extra: Record<string, string> = {}): TokenResponse {
  return tokenResponse(status, { error, error_description: description }, extra);
}

const WWW_AUTHENTICATE = { "www-authenticate": 'Basic realm="sinch-hooks"' };

function invalidClient(description: string): TokenResponse {
  // RFC 6749 §5.2: invalid_client may be 401, and must be when the client tried the Authorization header.
  return oauthError(401, "invalid_client", description, WWW_AUTHENTICATE);
}

/** application/x-www-form-urlencoded decoding of one Basic credential part (RFC 6749 §2.3.1, Appendix B). */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
}

function credentialsMatch(id: string, secret: string, expected: ClientCredentials): boolean {
  // Every comparison runs (bitwise &, no short-circuit), so timing does not reveal which part differed.
  const idOk = Number(timingSafeEqual(id, expected.clientId));
  const secretOk = Number(timingSafeEqual(secret, expected.clientSecret));
  return (idOk & secretOk) === 1;
}

/**
 * The token endpoint `listen --oauth` serves: RFC 6749 §4.4 client-credentials grant with §5.1/§5.2
 * responses. Pure: the caller reads the body and writes the answer.
 */
export function handleTokenRequest(req: TokenRequest, expected: ClientCredentials, store: TokenStore, nowMs: number): TokenResponse {
  if (req.method !== "POST") {
    return oauthError(405, "invalid_request", "the token endpoint only accepts POST", { allow: "POST" });
  }
  const contentType = (headerValue(req.headers, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (contentType !== "application/x-www-form-urlencoded") {
    return oauthError(400, "invalid_request", "the request body must be application/x-www-form-urlencoded (RFC 6749 §4.4.2)");
  }

  const form = new URLSearchParams(req.body.toString("utf8"));
  // RFC 6749 §3.2: request parameters must not be repeated; empty ones count as omitted.
  for (const name of ["grant_type", "client_id", "client_secret"]) {
    if (form.getAll(name).length > 1) return oauthError(400, "invalid_request", `parameter ${name} is repeated`);
  }
  const param = (name: string): string | undefined => {
    const value = form.get(name);
    return value === null || value === "" ? undefined : value;
  };

  // Client authentication first, so an unauthenticated caller learns nothing about the grant handling.
  const authorization = headerValue(req.headers, "authorization");
  const formId = param("client_id");
  const formSecret = param("client_secret");
  let authenticated: boolean;
  if (authorization !== undefined && authorization.trim() !== "") {
    // RFC 6749 §2.3: a client must not use more than one authentication method per request.
    if (formSecret !== undefined) return oauthError(400, "invalid_request", "client credentials were sent both in the Authorization header and in the body; use one");
    const scheme = authorization.trim().split(/\s+/)[0]!;
    if (scheme.toLowerCase() !== "basic") return invalidClient(`client authentication must use HTTP Basic (${describeScheme(authorization)})`);
    const basic = parseBasicAuthorization(authorization);
    if (basic === null) return invalidClient("the Authorization: Basic value is not base64 of client_id:client_secret");
    // Accept the credentials as sent and also form-decoded: RFC 6749 §2.3.1 asks clients to encode
    // them, many (and perhaps Sinch) do not, and for plain ids/secrets both readings are the same.
    const asSent = credentialsMatch(basic.user, basic.password, expected);
    const decoded = credentialsMatch(formDecode(basic.user), formDecode(basic.password), expected);
    authenticated = asSent || decoded;
  } else if (formId !== undefined || formSecret !== undefined) {
    // RFC 6749 §2.3.1 allows client_id/client_secret in the body (NOT RECOMMENDED, but allowed).
    if (formId === undefined || formSecret === undefined) return invalidClient("client_id and client_secret must both be given");
    authenticated = credentialsMatch(formId, formSecret, expected);
  } else {
    return invalidClient("client authentication is required (HTTP Basic with the client id and secret)");
  }
  if (!authenticated) return invalidClient("client authentication failed");

  const grantType = param("grant_type");
  if (grantType === undefined) return oauthError(400, "invalid_request", "missing grant_type; expected grant_type=client_credentials");
  if (grantType !== "client_credentials") {
    return oauthError(400, "unsupported_grant_type", `grant_type ${quoteUntrusted(grantType)} is not supported; only client_credentials is`);
  }

  const { accessToken, expiresIn } = store.issue(nowMs);
  return tokenResponse(200, { access_token: accessToken, token_type: "Bearer", expires_in: expiresIn });
}

export type BearerCheck = { ok: true } | { ok: false; reason: "missing" | "wrong_scheme" | "unknown" | "expired"; message: string };

/** Checks `Authorization: Bearer <token>` (RFC 6750 §2.1) against tokens this store issued. */
export function checkBearer(authorizationHeader: string | undefined, store: TokenStore, nowMs: number): BearerCheck {
  const value = authorizationHeader?.trim() ?? "";
  if (value === "") {
    return { ok: false, reason: "missing", message: `no Authorization header (expected Bearer <token> from POST ${OAUTH_TOKEN_PATH})` };
  }
  const [scheme = "", token = "", ...extra] = value.split(/\s+/);
  if (scheme.toLowerCase() !== "bearer") {
    return { ok: false, reason: "wrong_scheme", message: `${describeScheme(value)}, expected Bearer` };
  }
  if (token === "") return { ok: false, reason: "missing", message: "Authorization: Bearer has no token" };
  if (extra.length > 0) return { ok: false, reason: "unknown", message: "Authorization: Bearer value has extra text after the token" };
  const result = store.check(token, nowMs);
  if (result.ok) return { ok: true };
  if (result.reason === "expired") {
    return { ok: false, reason: "expired", message: `bearer token has expired; a new one comes from POST ${OAUTH_TOKEN_PATH}` };
  }
  return { ok: false, reason: "unknown", message: "bearer token was not issued by this listener (tokens live in memory and are lost on restart)" };
}
