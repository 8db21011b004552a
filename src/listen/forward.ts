/**
 * Forwards a callback to the developer's app: raw body byte-for-byte, original headers minus hop-by-hop
 * ones, Host rewritten to the target, over a keep-alive undici pool. smee's JSON re-serialisation broke
 * HMAC checks (probot/smee-client#325, #454 — shared/reference/peers.md); we never parse the body here.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";

export interface ForwardResult {
  ok: boolean;
  status?: number;
  /** Response body as text, at most 64 KiB, mirrored back to the sender. */
  body?: string;
  contentType?: string;
  latencyMs: number;
  /** Set when the app could not be reached or answered too late. */
  error?: { kind: "refused" | "reset" | "timeout" | "dns" | "other"; message: string };
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

function classify(err: unknown): NonNullable<ForwardResult["error"]> {
  const e = err as { code?: string; message?: string; name?: string };
  const code = e.code ?? "";
  const msg = e.message ?? String(err);
  if (code === "ECONNREFUSED") return { kind: "refused", message: "connection refused (is your app running?)" };
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") return { kind: "reset", message: "connection reset by your app" };
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT") {
    return { kind: "timeout", message: "your app did not answer in time" };
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { kind: "dns", message: "host name not found" };
  return { kind: "other", message: msg };
}

export async function createForwarder(target: URL, opts: { timeoutMs: number; dispatcher?: Dispatcher; connections?: number }): Promise<Forwarder> {
  const { Pool } = await import("undici");
  const owned = opts.dispatcher === undefined;
  const dispatcher: Dispatcher =
    opts.dispatcher ??
    new Pool(target.origin, {
      connections: opts.connections ?? 64,
      keepAliveTimeout: 4_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connectTimeout: Math.min(opts.timeoutMs, 10_000),
    });

  return {
    target,
    async forward(req) {
      const started = performance.now();
      try {
        const res = await dispatcher.request({
          origin: target.origin,
          path: targetPath(target, req.path),
          method: "POST",
          headers: forwardHeaders(req.headers, req.remoteAddress),
          body: req.body,
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
        });
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          const b = chunk as Buffer;
          if (size < 64 * 1024) chunks.push(b);
          size += b.length;
        }
        const ct = res.headers["content-type"];
        return {
          ok: true,
          status: res.statusCode,
          body: Buffer.concat(chunks).subarray(0, 64 * 1024).toString("utf8"),
          contentType: Array.isArray(ct) ? ct[0] : ct,
          latencyMs: performance.now() - started,
        };
      } catch (err) {
        return { ok: false, latencyMs: performance.now() - started, error: classify(err) };
      }
    },
    async close() {
      if (owned) await dispatcher.close().catch(() => undefined);
    },
  };
}
