/**
 * One HTTP client for everything that sends to the developer's endpoint (listen --forward-to, replay,
 * simulate-retries, check): a keep-alive undici pool per origin, the exact bytes given, a per-request
 * timeout, and network failures classified the way Sinch's retry policy needs them (Decisions b).
 */
import type { Dispatcher } from "undici";
import type { TransportFailure } from "../retry/policy.js";

export interface HttpResult {
  ok: boolean;
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  /** Response body as text, at most `maxBodyBytes` (default 64 KiB). */
  body?: string;
  latencyMs: number;
  error?: { kind: TransportFailure; message: string; code?: string };
}

export interface HttpRequest {
  path: string;
  method?: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** Overrides the client's timeout for this request. */
  timeoutMs?: number;
  /** Aborts this request; the result is then a failure (check signal.aborted to tell it apart). */
  signal?: AbortSignal;
  /**
   * Whether to read the response body for this status; when it returns false the body is drained
   * unread and `body` is undefined. Reading costs a stream iteration per request, which shows at
   * thousands of requests a second (replay keeps bodies only for answers that missed --expect).
   */
  readBody?: (status: number) => boolean;
}

export interface HttpClient {
  origin: string;
  send(req: HttpRequest): Promise<HttpResult>;
  close(): Promise<void>;
}

export interface HttpClientOptions {
  timeoutMs: number;
  connections?: number;
  /** Tests may pass their own dispatcher; it is not closed by close(). */
  dispatcher?: Dispatcher;
  maxBodyBytes?: number;
  /**
   * When it aborts (e.g. Ctrl-C in replay), the pool is destroyed: requests in flight end at once as
   * failures (check signal.aborted to tell them apart) and no new ones are sent. One listener for the
   * whole pool rather than one per request, which would cost at thousands of requests a second.
   */
  signal?: AbortSignal;
}

export function classifyNetworkError(err: unknown): { kind: TransportFailure; message: string; code?: string } {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? "";
  if (code === "ECONNREFUSED") return { kind: "refused", message: "connection refused (is the app running?)", code };
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE" || code === "UND_ERR_CLOSED") {
    return { kind: "reset", message: "connection reset before an answer arrived", code };
  }
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT") {
    return { kind: "timeout", message: "no answer within the timeout", code };
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { kind: "dns", message: "host name not found", code };
  return { kind: "other", message: e.message ?? String(err), code: code || undefined };
}

export async function createHttpClient(origin: string, opts: HttpClientOptions): Promise<HttpClient> {
  const { Pool } = await import("undici");
  const owned = opts.dispatcher === undefined;
  const maxBody = opts.maxBodyBytes ?? 64 * 1024;
  const dispatcher: Dispatcher =
    opts.dispatcher ??
    new Pool(origin, {
      connections: opts.connections ?? 64,
      keepAliveTimeout: 4_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connectTimeout: Math.min(opts.timeoutMs, 10_000),
    });
  if (owned && opts.signal) {
    const destroy = (): void => void dispatcher.destroy().catch(() => undefined);
    if (opts.signal.aborted) destroy();
    else opts.signal.addEventListener("abort", destroy, { once: true });
  }

  return {
    origin,
    async send(req) {
      const started = performance.now();
      const timeout = req.timeoutMs ?? opts.timeoutMs;
      try {
        const res = await dispatcher.request({
          origin,
          path: req.path,
          method: (req.method ?? "POST") as Dispatcher.HttpMethod,
          headers: req.headers,
          body: req.body,
          headersTimeout: timeout,
          bodyTimeout: timeout,
          ...(req.signal ? { signal: req.signal } : {}),
        });
        if (req.readBody && !req.readBody(res.statusCode)) {
          await res.body.dump();
          return { ok: true, status: res.statusCode, headers: res.headers, latencyMs: performance.now() - started };
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          const b = chunk as Buffer;
          if (size < maxBody) chunks.push(b);
          size += b.length;
        }
        return {
          ok: true,
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).subarray(0, maxBody).toString("utf8"),
          latencyMs: performance.now() - started,
        };
      } catch (err) {
        return { ok: false, latencyMs: performance.now() - started, error: classifyNetworkError(err) };
      }
    },
    async close() {
      if (owned) await dispatcher.close().catch(() => undefined);
    },
  };
}
