/**
 * Maps `@ngrok/ngrok` rejections to TunnelErrors with plain messages and hints.
 * Table: shared/reference/tunnels.md §5.1; message and errorCode shapes: §1.5.
 * Pure: no I/O, so it is tested with hand-made errors and against the real SDK's messages.
 */
import { TunnelError, type TunnelErrorKind } from "./types.js";

export const NGROK_TOKEN_URL = "https://dashboard.ngrok.com/get-started/your-authtoken";

export type TokenSource = "flag" | "env" | "ngrok-config";

export interface NgrokErrorContext {
  /** Port of the local listener, to write concrete commands into hints. */
  localPort?: number;
  /** The --ngrok-domain in use, to name it in DOMAIN errors. */
  domain?: string;
  /** The token that was used: only so it can be scrubbed from any text we keep. */
  token?: string;
  /** Where the token came from, so AUTH_INVALID says which one to fix. */
  tokenSource?: TokenSource;
  /** Path of the ngrok config file when tokenSource is "ngrok-config". */
  tokenPath?: string;
}

/** `https://ngrok.com/docs/errors/err_ngrok_<n>` for a code like "ERR_NGROK_4018" (§5.1: always print it). */
export function ngrokErrorDocsUrl(code: string): string {
  return `https://ngrok.com/docs/errors/${code.toLowerCase()}`;
}

const CODE_RE = /^ERR_NGROK_\d+$/;
// The SDK appends " error_code: ERR_NGROK_NNN" to the message and copies it to err.errorCode (§1.5).
const CODE_SUFFIX_RE = /\s*error_code:\s*(ERR_NGROK_\d+)\s*$/;

function rawMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "string") return err;
  return String(err);
}

function providerCodeOf(err: unknown, message: string): string | undefined {
  if (typeof err === "object" && err !== null) {
    const code = (err as { errorCode?: unknown }).errorCode;
    if (typeof code === "string" && CODE_RE.test(code)) return code;
  }
  return CODE_SUFFIX_RE.exec(message)?.[1];
}

/** Remove the token from text we show or keep. Short tokens are left alone to avoid mangling words. */
export function redactToken(text: string, token: string | undefined): string {
  if (!token || token.length < 6) return text;
  return text.split(token).join("<redacted>");
}

function tokenOrigin(ctx: NgrokErrorContext): string {
  switch (ctx.tokenSource) {
    case "flag":
      return "the token given with --ngrok-authtoken";
    case "env":
      return "the token in NGROK_AUTHTOKEN";
    case "ngrok-config":
      return `the token in your ngrok config file${ctx.tokenPath ? ` (${ctx.tokenPath})` : ""}`;
    default:
      return "the token";
  }
}

function withDocs(hint: string, code: string | undefined): string {
  return code ? `${hint} Details: ${ngrokErrorDocsUrl(code)}` : hint;
}

export function mapNgrokError(err: unknown, ctx: NgrokErrorContext = {}): TunnelError {
  const original = rawMessage(err);
  const message = redactToken(original, ctx.token);
  const code = providerCodeOf(err, message);
  // The SDK's own text without the code suffix, for "(detail)" parts of our messages.
  const detail = message.replace(CODE_SUFFIX_RE, "").trim() || "no detail";
  // Keep the original error as cause only when it holds no secret; otherwise a scrubbed copy.
  const cause = message === original ? err : Object.assign(new Error(message), { code: (err as { code?: unknown } | null)?.code, errorCode: code });
  const port = ctx.localPort === undefined ? "<port>" : String(ctx.localPort);
  const make = (kind: TunnelErrorKind, msg: string, hint: string): TunnelError =>
    new TunnelError(kind, code ? `${msg} (${code})` : msg, { hint: withDocs(hint, code), cause, providerCode: code });

  switch (code) {
    case "ERR_NGROK_4018":
      return make(
        "AUTH_MISSING",
        "ngrok needs an auth token",
        `Get a free one at ${NGROK_TOKEN_URL}, then set NGROK_AUTHTOKEN or pass --ngrok-authtoken. An account whose email is not verified gets the same error.`,
      );
    case "ERR_NGROK_105":
      return make("AUTH_INVALID", "ngrok rejected the auth token: it is malformed", `Check ${tokenOrigin(ctx)}; copy it again from ${NGROK_TOKEN_URL}.`);
    case "ERR_NGROK_107":
      return make("AUTH_INVALID", "ngrok rejected the auth token: it is invalid or has been revoked", `Check ${tokenOrigin(ctx)}; copy the current one from ${NGROK_TOKEN_URL}.`);
    case "ERR_NGROK_108":
      // §1.5: the usual cause is a separate `ngrok http` the user runs; attaching to it avoids a second session (§5.2).
      return make(
        "SESSION_LIMIT",
        "your ngrok account already has an agent session (is `ngrok http` running?)",
        `Stop the other ngrok process, or run \`ngrok http ${port}\` and use --tunnel ngrok-agent to attach to it.`,
      );
    case "ERR_NGROK_334":
      return make(
        "DOMAIN",
        `the ngrok domain ${ctx.domain ? `${ctx.domain} ` : ""}is already online in another session`,
        "Stop the other tunnel using it, or leave out --ngrok-domain to get a random URL.",
      );
    case "ERR_NGROK_326":
    case "ERR_NGROK_328":
      return make(
        "DOMAIN",
        `the ngrok domain ${ctx.domain ? `"${ctx.domain}" ` : ""}is not valid`,
        "Pass a domain reserved in your ngrok dashboard (e.g. name.ngrok-free.app), or leave out --ngrok-domain.",
      );
    default:
      break;
  }
  if (code) {
    return make("UNKNOWN", `ngrok refused to open the tunnel: ${detail}`, "See ngrok's explanation of this code.");
  }
  // No code: failures before any ngrok server answered (§1.5 table).
  if (/failed to establish tcp connection|tls handshake/i.test(message)) {
    return make(
      "NETWORK",
      `could not reach ngrok's service (${detail})`,
      "Check your internet connection and firewall; the ngrok SDK cannot go through an HTTP proxy. Local testing still works with --tunnel none.",
    );
  }
  return make("UNKNOWN", `ngrok failed: ${detail}`, "Rerun with SINCH_HOOKS_DEBUG=1 for details, or use --tunnel none to stay local-only.");
}
