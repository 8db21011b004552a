/**
 * `replay --dry-run`: each planned request as a curl command (POSIX sh) that sends the same bytes with
 * the same headers, signatures included. Nothing is sent, not even an OAuth token request.
 *
 * Secrets never appear in the output. Where a command needs one, it reads it from an environment
 * variable when it runs: Basic credentials from SINCH_HOOKS_BASIC_AUTH (`curl -u`), the bearer token
 * from SINCH_HOOKS_OAUTH_TOKEN (fetched by a first line from SINCH_HOOKS_OAUTH_CREDENTIALS unless
 * already set), and secret-looking --header values from SINCH_HOOKS_HEADER_<NAME>. HMAC signatures
 * are printed: they are computed here and reveal nothing about the secret.
 */
import { curlCommand, shellQuote, type CurlValue } from "../send/curl.js";

export const BASIC_ENV = "SINCH_HOOKS_BASIC_AUTH";
export const OAUTH_CREDENTIALS_ENV = "SINCH_HOOKS_OAUTH_CREDENTIALS";
export const OAUTH_TOKEN_ENV = "SINCH_HOOKS_OAUTH_TOKEN";

// Header names that usually carry a credential (Sinch lets accounts add static custom headers, and an
// API key is the common use). Broad on purpose: a wrongly hidden value costs an export, a leaked one more.
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|key|passw|credential|session|auth/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

export function headerEnvName(name: string): string {
  return `SINCH_HOOKS_HEADER_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/**
 * The first line of an OAuth dry run: sets SINCH_HOOKS_OAUTH_TOKEN with the client-credentials grant
 * (the exchange the tool assumes Sinch uses, Decisions e), unless it is already set.
 */
export function oauthTokenLine(tokenUrl: string): string {
  const fetch = [
    `curl -sS -u "$${OAUTH_CREDENTIALS_ENV}"`,
    `-H 'accept: application/json'`,
    `-H 'content-type: application/x-www-form-urlencoded'`,
    `--data-binary grant_type=client_credentials`,
    shellQuote(tokenUrl),
    `| sed -n 's/.*"access_token" *: *"\\([^"]*\\)".*/\\1/p'`,
  ].join(" ");
  return `${OAUTH_TOKEN_ENV}="\${${OAUTH_TOKEN_ENV}:-$(${fetch})}"`;
}

export interface DryRunRequest {
  seq: number;
  label: string;
  type: string | null;
  url: string;
  /** Every header as it would be sent, except credentials (see `secrets`). */
  headers: Record<string, string>;
  body: Buffer;
}

export interface DryRunSecrets {
  basic: boolean;
  oauth: boolean;
  /** --header names whose values are read from the environment. */
  secretHeaders: readonly string[];
}

/** A shell comment naming the request; control characters are replaced so a file name cannot end the comment. */
export function commentLine(r: Pick<DryRunRequest, "seq" | "label" | "type">): string {
  // eslint-disable-next-line no-control-regex
  return `# ${r.seq} ${r.label} (${r.type ?? "no type"})`.replace(/[\x00-\x1f\x7f\u2028\u2029]/g, "?");
}

export function dryRunCurl(r: DryRunRequest, secrets: DryRunSecrets): string {
  const headers: [string, CurlValue][] = [];
  for (const [name, value] of Object.entries(r.headers)) {
    // Basic comes from `curl -u`, Bearer from the token variable: never the value computed here.
    if (name === "authorization" && (secrets.basic || secrets.oauth)) continue;
    headers.push([name, secrets.secretHeaders.includes(name) ? { env: headerEnvName(name) } : value]);
  }
  if (secrets.oauth) headers.push(["authorization", { env: OAUTH_TOKEN_ENV, before: "Bearer " }]);
  return curlCommand({ url: r.url, headers, body: r.body, userFromEnv: secrets.basic ? BASIC_ENV : undefined });
}
