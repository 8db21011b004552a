/** The providers that open nothing: `manual` (--public-url) and `none` (tunnels.md §5.2 items 3-4). */
import { UsageError } from "../errors.js";
import { NGROK_TOKEN_URL } from "./errors.js";
import { TunnelError, type TunnelHandle } from "./types.js";
import { localUrl, stripTrailingSlash } from "./util.js";

export function publicUrlMissing(): UsageError {
  return new UsageError("--tunnel manual needs --public-url", "Pass the public URL of the tunnel or proxy you run, e.g. --public-url https://example.ngrok-free.app", "SH_USAGE_PUBLIC_URL");
}

/** A handle for a tunnel or proxy the user runs; we only print and use its URL (§5.2 item 3). */
export function manualHandle(publicUrl: string | undefined): TunnelHandle {
  const raw = publicUrl?.trim();
  if (!raw) throw publicUrlMissing();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--public-url is not a URL: ${raw}`, "Pass an absolute URL such as https://example.ngrok-free.app", "SH_USAGE_PUBLIC_URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`--public-url must be an http(s) URL, not ${url.protocol}`, "Pass an absolute URL such as https://example.ngrok-free.app", "SH_USAGE_PUBLIC_URL");
  }
  return {
    provider: "manual",
    publicUrl: stripTrailingSlash(raw),
    ownsTunnel: false,
    close: () => Promise.resolve(),
  };
}

function waysToGoPublic(port: number): string {
  return `To receive Sinch callbacks, either: set NGROK_AUTHTOKEN (free: ${NGROK_TOKEN_URL}), run "ngrok http ${port}" in another terminal, or pass --public-url https://… .`;
}

/** §5.3 rule 4: a clear, non-error message. `agentNote` says what a running agent forwards to, if any. */
export function localOnlyNotice(host: string | undefined, port: number, agentNote?: string): string {
  const lines = [`Listening on ${localUrl(host, port)} (local only, no public tunnel).`, waysToGoPublic(port)];
  if (agentNote) lines.push(`Note: ${agentNote}, not to :${port}.`);
  return lines.join("\n");
}

/** §5.3 rule 3: the tunnel failed in auto mode; say why, what to do, and that the listener keeps running. */
export function fallbackNotice(error: TunnelError, host: string | undefined, port: number): string {
  const lines = [`No public tunnel: ${error.message}.`];
  if (error.hint) lines.push(`  → ${error.hint}`);
  lines.push(`Carrying on local-only at ${localUrl(host, port)}; pass --require-tunnel to exit instead.`);
  return lines.join("\n");
}

/** --require-tunnel in auto mode with nothing to open: the same advice as the notice, as an error. */
export function noTunnelAvailable(port: number, agentNote?: string): TunnelError {
  return new TunnelError("AUTH_MISSING", `no public tunnel available: no ngrok auth token found${agentNote ? ` and ${agentNote}` : " and no ngrok agent forwards to this port"}`, {
    hint: waysToGoPublic(port),
  });
}
