/**
 * The listener's decision, with no sockets and no printing: raw body + headers + config + state →
 * what to answer and what to show. Order: parse → authenticate → validate → choose the response
 * (issue #3). State (nonce cache, token store, duplicate tracker) is passed in and updated here, so a
 * unit test can drive every branch without a port.
 */
import { isUtf8 } from "node:buffer";
import type { IncomingHttpHeaders } from "node:http";
import { checkBasic } from "../sign/basic.js";
import { verifyHmac, type HmacProblem } from "../sign/hmac.js";
import { OAUTH_TOKEN_PATH, checkBearer, handleTokenRequest, type createTokenStore } from "../sign/oauth.js";
import type { createNonceCache } from "../sign/hmac.js";
import { parseJson } from "../validate/parse.js";
import { validateCallback, type ValidationResult } from "../validate/validate.js";
import { callbackKey, type DedupeTracker, type SeenInfo } from "./dedupe.js";
import { plannedStatus, type RespondPlan } from "./respond.js";

export type NonceCache = ReturnType<typeof createNonceCache>;
export type TokenStore = ReturnType<typeof createTokenStore>;

export interface ListenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ListenConfig {
  hmac?: { secret: string; toleranceSeconds: number; strict: boolean };
  basic?: { user: string; password: string };
  oauth?: { clientId: string; clientSecret: string };
  /** --strict: answer 400 to schema-invalid payloads. */
  strictSchema: boolean;
  respond?: RespondPlan;
}

export interface ListenState {
  dedupe: DedupeTracker;
  nonceCache?: NonceCache;
  tokenStore?: TokenStore;
}

export interface AuthCheck {
  scheme: "hmac" | "basic" | "oauth";
  ok: boolean;
  /** Why it failed, or "valid …" when it passed. */
  message: string;
  /** Accepted but worth a label (stale timestamp / reused nonce with a valid signature). */
  warnings: string[];
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Decision =
  | { kind: "token"; answer: Answer; granted: boolean; reason: string }
  | { kind: "not-allowed"; answer: Answer }
  | CallbackDecision;

export interface CallbackDecision {
  kind: "callback";
  /** What to answer when not forwarding (or when forwarding is skipped because of a refusal). */
  answer: Answer;
  /** True when the callback passed authentication and should reach the developer's app. */
  accepted: boolean;
  /** Set when --respond decides the status regardless of the forward target. */
  planned: boolean;
  parseError?: { message: string; line: number; column: number };
  payload?: unknown;
  type: string | null;
  validation?: ValidationResult;
  auth: AuthCheck[];
  seen: SeenInfo;
  /** The duplicate-tracking identity (dedupe.ts callbackKey), for grouping retries elsewhere. */
  key?: string;
}

const json = (status: number, body: unknown, extra: Record<string, string> = {}): Answer => ({
  status,
  headers: { "content-type": "application/json", ...extra },
  body: JSON.stringify(body),
});

function describeHmac(problems: HmacProblem[]): { refused: HmacProblem | undefined; freshness: HmacProblem[] } {
  const freshness = problems.filter((p) => p.code === "stale_timestamp" || p.code === "reused_nonce");
  const refused = problems.find((p) => p.code !== "stale_timestamp" && p.code !== "reused_nonce");
  return { refused, freshness };
}

function authenticate(req: ListenRequest, config: ListenConfig, state: ListenState, nowMs: number): AuthCheck[] {
  const checks: AuthCheck[] = [];
  if (config.basic) {
    const r = checkBasic(req.headers.authorization, config.basic);
    checks.push({ scheme: "basic", ok: r.ok, message: r.ok ? "valid Basic credentials" : r.message, warnings: [] });
  }
  if (config.oauth && state.tokenStore) {
    const r = checkBearer(req.headers.authorization, state.tokenStore, nowMs);
    checks.push({ scheme: "oauth", ok: r.ok, message: r.ok ? "valid bearer token" : r.message, warnings: [] });
  }
  if (config.hmac) {
    const v = verifyHmac({
      secret: config.hmac.secret,
      body: req.body,
      headers: req.headers,
      nowMs,
      toleranceSeconds: config.hmac.toleranceSeconds,
      nonceCache: state.nonceCache,
    });
    const { refused, freshness } = describeHmac(v.problems);
    if (refused) {
      checks.push({ scheme: "hmac", ok: false, message: refused.message, warnings: [] });
    } else if (freshness.length > 0 && config.hmac.strict) {
      checks.push({ scheme: "hmac", ok: false, message: `${freshness.map((p) => p.message).join("; ")} (refused: --strict-signatures)`, warnings: [] });
    } else {
      // A valid signature that is stale or replayed may be a Sinch retry that repeats its signature:
      // Sinch does not say (sinch-callbacks.md §8 point 6, Decisions d), so accept and label it.
      const warnings = freshness.map(
        (p) => `${p.message}: a strict receiver would refuse this; if this is a Sinch retry, Sinch repeated its signature`,
      );
      checks.push({ scheme: "hmac", ok: true, message: "valid signature", warnings });
    }
  }
  return checks;
}

function challengeFor(failed: AuthCheck[]): Record<string, string> {
  const schemes: string[] = [];
  if (failed.some((c) => c.scheme === "basic")) schemes.push('Basic realm="sinch-hooks"');
  if (failed.some((c) => c.scheme === "oauth")) schemes.push('Bearer realm="sinch-hooks"');
  return schemes.length > 0 ? { "www-authenticate": schemes.join(", ") } : {};
}

function invalidUtf8(decoded: string): { ok: false; message: string; line: number; column: number } {
  const at = Math.max(0, decoded.indexOf("\uFFFD"));
  const before = decoded.slice(0, at);
  const line = before.split("\n").length;
  const column = at - before.lastIndexOf("\n");
  return { ok: false, message: "body is not valid UTF-8", line, column };
}

export function decide(req: ListenRequest, config: ListenConfig, state: ListenState, nowMs: number): Decision {
  const path = req.path.split("?")[0] ?? "/";

  if (config.oauth && state.tokenStore && path === OAUTH_TOKEN_PATH) {
    const answer = handleTokenRequest(
      { method: req.method, headers: req.headers, body: req.body },
      { clientId: config.oauth.clientId, clientSecret: config.oauth.clientSecret },
      state.tokenStore,
      nowMs,
    );
    let reason = "token issued";
    if (answer.status !== 200) {
      try {
        const b = JSON.parse(answer.body) as { error?: string; error_description?: string };
        reason = [b.error, b.error_description].filter(Boolean).join(": ") || `status ${answer.status}`;
      } catch {
        reason = `status ${answer.status}`;
      }
    }
    return { kind: "token", answer, granted: answer.status === 200, reason };
  }

  if (req.method !== "POST") {
    return {
      kind: "not-allowed",
      answer: json(405, { error: "method_not_allowed", message: "Sinch callbacks are POST requests" }, { allow: "POST" }),
    };
  }

  const text = req.body.toString("utf8");
  // JSON on the wire must be UTF-8 (RFC 8259 §8.1). Decoding would silently turn bad bytes into U+FFFD
  // and the payload would look fine, so refuse it with the position of the first bad byte instead.
  const parsed = isUtf8(req.body) ? parseJson(text) : invalidUtf8(text);
  const payload = parsed.ok ? parsed.value : undefined;
  const key = callbackKey(payload, req.body);
  const seen = state.dedupe.see(key, nowMs);
  const type =
    payload !== null && typeof payload === "object" && !Array.isArray(payload) && typeof (payload as { type?: unknown }).type === "string"
      ? ((payload as { type: string }).type)
      : null;

  const auth = authenticate(req, config, state, nowMs);
  const failed = auth.filter((c) => !c.ok);
  const base = { kind: "callback" as const, type, auth, seen, payload, key };

  if (failed.length > 0) {
    // 401: a 4xx is final for Sinch, which is right for a forged or misconfigured request.
    return {
      ...base,
      accepted: false,
      planned: false,
      ...(parsed.ok ? {} : { parseError: { message: parsed.message, line: parsed.line, column: parsed.column } }),
      answer: json(401, { error: "unauthorized", message: failed.map((c) => c.message).join("; ") }, challengeFor(failed)),
    };
  }

  if (!parsed.ok) {
    return {
      ...base,
      accepted: false,
      planned: false,
      parseError: { message: parsed.message, line: parsed.line, column: parsed.column },
      answer: json(400, { error: "invalid_json", message: `body is not JSON: ${parsed.message} (line ${parsed.line}, column ${parsed.column})` }),
    };
  }

  const validation = validateCallback(payload);
  if (!validation.ok && config.strictSchema) {
    return {
      ...base,
      validation,
      accepted: false,
      planned: false,
      answer: json(400, { error: "invalid_callback", errors: validation.errors.map((e) => e.message) }),
    };
  }

  if (config.respond) {
    const status = plannedStatus(config.respond, seen.attempt);
    return { ...base, validation, accepted: true, planned: true, answer: json(status, { ok: status < 300, status, source: "--respond" }) };
  }
  return { ...base, validation, accepted: true, planned: false, answer: json(200, { ok: true }) };
}
