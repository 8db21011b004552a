/**
 * Authentication flags → AuthOptions for every command that sends as Sinch would (replay,
 * simulate-retries, check). Pure: every mistake is a UsageError naming the flag; the environment is
 * passed in.
 *
 * Sinch can be provisioned with HMAC signatures, Basic or OAuth 2.0, and HMAC alongside either of the
 * other two (shared/reference/sinch-callbacks.md §4.1); Basic and OAuth both use the Authorization
 * header, so they cannot be combined.
 */
import { UsageError } from "../errors.js";
import { parseCredentials, parseUrl, type Credentials } from "../cli/parse-options.js";
import { parseHeaderFlag, type AuthOptions } from "./auth.js";

export interface AuthFlags {
  hmacSecret?: string;
  basicAuth?: string;
  oauthTokenUrl?: string;
  oauthCredentials?: string;
  /** --header "Name: value", repeatable. */
  header?: readonly string[];
}

function credentials(flag: string, value: string | undefined): Credentials | undefined {
  return value === undefined || value === "" ? undefined : parseCredentials(flag, value);
}

export function authOptionsFromFlags(flags: AuthFlags, env: Record<string, string | undefined>): AuthOptions {
  // An empty variable (e.g. `SINCH_HOOKS_HMAC_SECRET=` in a CI file) counts as unset, as in `listen`.
  const hmacSecret = flags.hmacSecret || env.SINCH_HOOKS_HMAC_SECRET || undefined;
  const basic = credentials("--basic-auth", flags.basicAuth) ?? credentials("SINCH_HOOKS_BASIC_AUTH", env.SINCH_HOOKS_BASIC_AUTH);
  const oauthCreds = credentials("--oauth-credentials", flags.oauthCredentials) ?? credentials("SINCH_HOOKS_OAUTH_CREDENTIALS", env.SINCH_HOOKS_OAUTH_CREDENTIALS);
  let oauth: AuthOptions["oauth"];
  if (flags.oauthTokenUrl !== undefined) {
    const url = parseUrl("--oauth-token-url", flags.oauthTokenUrl);
    if (!oauthCreds) throw new UsageError("--oauth-token-url needs --oauth-credentials user:pass", "or set SINCH_HOOKS_OAUTH_CREDENTIALS");
    oauth = { tokenUrl: url.toString(), clientId: oauthCreds.user, clientSecret: oauthCreds.password };
  } else if (flags.oauthCredentials !== undefined) {
    throw new UsageError("--oauth-credentials needs --oauth-token-url URL", "the token URL is where the client-credentials token is fetched from");
  }
  if (basic && oauth) {
    throw new UsageError("Basic and OAuth cannot be combined", "both use the Authorization header; Sinch allows HMAC with either one (add --hmac-secret)");
  }

  const headers: Record<string, string> = {};
  for (const h of flags.header ?? []) {
    const [name, value] = parseHeaderFlag(h);
    if (name === "authorization" && (basic || oauth)) throw new UsageError("--header authorization clashes with --basic-auth / --oauth-token-url", "use one of them");
    if (name.startsWith("x-sinch-webhook-signature") && hmacSecret) throw new UsageError(`--header ${name} clashes with --hmac-secret, which signs each request itself`);
    if (name === "content-length" || name === "host" || name === "transfer-encoding" || name === "connection") {
      throw new UsageError(`--header ${name} cannot be set: the HTTP client manages it`);
    }
    headers[name] = value;
  }
  return { hmacSecret, basic, oauth, headers };
}
