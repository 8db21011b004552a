/**
 * Builds the CheckContext for one run from the shared send code: one keep-alive HTTP client for the
 * target (send/http.ts), Sinch-like headers from the shared authenticator (send/auth.ts: fresh HMAC per
 * request, Basic, cached OAuth bearer tokens, --header), and the bundled samples made fresh.
 * It also counts answers, so the runner can tell "the endpoint answered badly" from "nothing answered".
 */
import { freshen, loadSample, parseSampleName } from "../fixtures/samples.js";
import { createAuthenticator } from "../send/auth.js";
import { createHttpClient, type HttpClient, type HttpResult } from "../send/http.js";
import { requestPath } from "../send/target.js";
import { basicAuthorization } from "../sign/basic.js";
import type { CheckContext, OAuthConfig } from "./types.js";

export interface CheckRunConfig {
  target: URL;
  budgetMs: number;
  timeoutMs: number;
  hmacSecret?: string;
  basic?: { user: string; password: string };
  oauth?: OAuthConfig;
  /** --header, already parsed (lower-case names). */
  headers?: Record<string, string>;
}

export interface RunStats {
  sent: number;
  answered: number;
  /** The first transport failure, to name it when nothing answered at all. */
  firstFailure?: string;
}

export interface RunContext extends CheckContext {
  stats: RunStats;
  /** "HMAC + Basic (user sinch)", never a secret. */
  describeAuth(): string;
  close(): Promise<void>;
}

// Secrets shorter than this are not searched for: blanking every "ab" in an error text helps nobody.
const MIN_SECRET_LENGTH = 3;

export async function createCheckContext(config: CheckRunConfig, deps: { now: () => number }): Promise<RunContext> {
  const { target, timeoutMs } = config;
  const client = await createHttpClient(target.origin, { timeoutMs, connections: 16 });
  const others = new Map<string, HttpClient>();
  const path = requestPath(target);
  const authenticator = createAuthenticator(
    { hmacSecret: config.hmacSecret, basic: config.basic, oauth: config.oauth, headers: config.headers },
    { now: deps.now },
  );

  const secrets = new Set<string>();
  const addSecret = (s: string | undefined): void => {
    if (s !== undefined && s.length >= MIN_SECRET_LENGTH) secrets.add(s);
  };
  addSecret(config.hmacSecret);
  addSecret(config.basic?.password);
  if (config.basic) addSecret(basicAuthorization(config.basic.user, config.basic.password).slice("Basic ".length));
  addSecret(config.oauth?.clientSecret);
  // A custom header may well be an API key; the endpoint echoing it back must not print it.
  for (const value of Object.values(config.headers ?? {})) addSecret(value);

  // Every Authorization value that goes out is a secret, the deliberately wrong ones included: a
  // "wrong password" header is Base64 of the user and a string that contains the real password.
  const rememberAuthorization = (headers: Record<string, string>): void => {
    const value = headers.authorization;
    if (value === undefined) return;
    addSecret(value);
    addSecret(value.split(" ").slice(1).join(" "));
  };

  const stats: RunStats = { sent: 0, answered: 0 };
  const count = (res: HttpResult): HttpResult => {
    stats.sent++;
    if (res.status !== undefined) stats.answered++;
    else stats.firstFailure ??= res.error?.message;
    return res;
  };

  return {
    target,
    budgetMs: config.budgetMs,
    timeoutMs,
    ...(config.hmacSecret ? { hmacSecret: config.hmacSecret } : {}),
    ...(config.basic ? { basic: config.basic } : {}),
    ...(config.oauth ? { oauth: config.oauth } : {}),
    now: deps.now,
    stats,
    async headersFor(body) {
      const headers = await authenticator.headersFor(body);
      rememberAuthorization(headers);
      return headers;
    },
    async send(body, headers) {
      rememberAuthorization(headers);
      return count(await client.send({ path, method: "POST", headers, body }));
    },
    async sendTo(url, req) {
      rememberAuthorization(req.headers);
      let other = others.get(url.origin);
      if (!other) {
        other = await createHttpClient(url.origin, { timeoutMs, connections: 4 });
        others.set(url.origin, other);
      }
      return other.send({ path: `${url.pathname}${url.search}`, method: req.method ?? "POST", headers: req.headers, body: req.body });
    },
    async sample(name) {
      const { type, variant } = parseSampleName(name);
      return freshen(await loadSample(type, variant), { now: deps.now() }) as Record<string, unknown>;
    },
    redact(text) {
      let out = text;
      // Longest first, so a secret that contains another is blanked whole.
      for (const s of [...secrets].toSorted((a, b) => b.length - a.length)) out = out.split(s).join("•••");
      return out;
    },
    addSecret,
    describeAuth: () => authenticator.describe(),
    async close() {
      await client.close();
      await Promise.all([...others.values()].map((c) => c.close()));
    },
  };
}
