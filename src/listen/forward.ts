/**
 * Forwards a callback to the developer's app: raw body byte-for-byte, original headers minus hop-by-hop
 * ones, Host rewritten to the target, over the shared keep-alive client (send/http.ts). smee's JSON
 * re-serialisation broke HMAC checks (probot/smee-client#325, #454 — shared/reference/peers.md); we never
 * parse the body here.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import { createHttpClient, type HttpResult } from "../send/http.js";

export interface ForwardResult {
  ok: boolean;
  status?: number;
  /** Response body as text, at most 64 KiB, mirrored back to the sender. */
  body?: string;
  contentType?: string;
  latencyMs: number;
  /** Set when the app could not be reached or answered too late. */
  error?: HttpResult["error"];
}

export interface Forwarder {
  target: URL;
  forward(req: { path: string; headers: IncomingHttpHeaders; body: Buffer; remoteAddress?: string }): Promise<ForwardResult>;
  close(): Promise<void>;
}

// RFC 9110 §7.6.1 hop-by-hop headers, plus ones undici computes itself.
const DROP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
  "expect",
]);

export function forwardHeaders(headers: IncomingHttpHeaders, remoteAddress?: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = String(headers.connection ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (DROP.has(lower) || listed.includes(lower)) continue;
    out[lower] = value;
  }
  if (remoteAddress) {
    const prior = headers["x-forwarded-for"];
    out["x-forwarded-for"] = prior ? `${String(prior)}, ${remoteAddress}` : remoteAddress;
  }
  if (headers.host && !out["x-forwarded-host"]) out["x-forwarded-host"] = String(headers.host);
  return out;
}

/** Path on the target: the target URL's path, plus the path the callback arrived on when the target has none. */
export function targetPath(target: URL, incomingPath: string): string {
  const base = target.pathname === "/" ? "" : target.pathname.replace(/\/$/, "");
  if (base) return base + target.search;
  return incomingPath.startsWith("/") ? incomingPath : `/${incomingPath}`;
}

export async function createForwarder(target: URL, opts: { timeoutMs: number; dispatcher?: Dispatcher; connections?: number }): Promise<Forwarder> {
  const client = await createHttpClient(target.origin, opts);
  return {
    target,
    async forward(req) {
      const r = await client.send({ path: targetPath(target, req.path), headers: forwardHeaders(req.headers, req.remoteAddress), body: req.body });
      if (!r.ok) return { ok: false, latencyMs: r.latencyMs, error: r.error };
      const ct = r.headers?.["content-type"];
      return { ok: true, status: r.status, body: r.body, contentType: Array.isArray(ct) ? ct[0] : ct, latencyMs: r.latencyMs };
    },
    close: () => client.close(),
  };
}
