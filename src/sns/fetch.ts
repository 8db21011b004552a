/**
 * The only network code in src/sns: one bounded GET of a URL that has already passed the SNS allowlist
 * (urls.ts). undici is imported lazily, so importing the SNS modules costs nothing until a certificate
 * or a confirmation link is actually fetched.
 */
import type { Dispatcher } from "undici";

export interface SnsGetOptions {
  timeoutMs: number;
  /** Largest body accepted; a bigger one is cut off and reported. */
  maxBytes: number;
  /** undici dispatcher (connection pool); the global one when omitted. */
  dispatcher?: Dispatcher;
}

export interface SnsGetResponse {
  status: number;
  body: string;
}

/** A network failure, already phrased for a person: "timed out after 10000 ms", "connection refused". */
export class SnsFetchError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause: unknown) {
    super(message, { cause });
    this.name = "SnsFetchError";
    this.code = code;
  }
}

function describeFailure(err: unknown, timeoutMs: number, timedOut: boolean): SnsFetchError {
  const code = (err as { code?: string } | undefined)?.code;
  if (timedOut || code === "UND_ERR_CONNECT_TIMEOUT" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return new SnsFetchError(`timed out after ${timeoutMs} ms`, code, err);
  }
  if (code === "ECONNREFUSED") return new SnsFetchError("connection refused", code, err);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new SnsFetchError("host not found", code, err);
  const detail = err instanceof Error ? err.message : String(err);
  return new SnsFetchError(code !== undefined && !detail.includes(code) ? `${code}: ${detail}` : detail, code, err);
}

/**
 * GET `url` with no redirects followed (undici's request() does not follow them, and a redirect could
 * leave the allowlisted host), a timeout covering headers and body, and a size cap.
 * Rejects with SnsFetchError; never resolves with a partial body.
 */
export async function snsGet(url: URL, { timeoutMs, maxBytes, dispatcher }: SnsGetOptions): Promise<SnsGetResponse> {
  const { request } = await import("undici");
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await request(url.href, {
      method: "GET",
      headers: { accept: "*/*", "user-agent": "sinch-hooks (SNS)" },
      signal,
      ...(dispatcher === undefined ? {} : { dispatcher }),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      const buf = chunk as Buffer;
      size += buf.byteLength;
      if (size > maxBytes) {
        response.body.destroy();
        throw new SnsFetchError(`response is larger than ${maxBytes} bytes`, "SH_SNS_TOO_LARGE", undefined);
      }
      chunks.push(buf);
    }
    return { status: response.statusCode, body: Buffer.concat(chunks).toString("utf8") };
  } catch (err) {
    if (err instanceof SnsFetchError) throw err;
    throw describeFailure(err, timeoutMs, signal.aborted);
  }
}
