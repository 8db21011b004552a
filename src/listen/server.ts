/**
 * node:http server that only moves bytes: reads the raw body under a size limit, hands it to the
 * handler, writes the answer. Timeouts are set so a slow client cannot hold the server, and in-flight
 * requests are tracked so shutdown can finish them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SinchHooksError } from "../errors.js";
import type { Answer, ListenRequest } from "./decide.js";

export interface ServerOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  /** Whole-request budget for a client to send headers and body (slowloris guard). */
  requestTimeoutMs?: number;
  headersTimeoutMs?: number;
}

export type RequestHandler = (req: ListenRequest, meta: { remoteAddress: string | undefined; receivedAt: number }) => Promise<Answer>;

export interface RejectedRequest {
  reason: "too-large" | "aborted" | "handler-error";
  status: number;
  method: string;
  path: string;
  detail: string;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  /** Requests accepted and not yet answered. */
  inFlight(): number;
  /** Stop accepting, wait for in-flight requests (up to graceMs), then close remaining sockets. */
  close(graceMs?: number): Promise<void>;
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

export async function startServer(
  opts: ServerOptions,
  handler: RequestHandler,
  onRejected: (r: RejectedRequest) => void = () => {},
): Promise<RunningServer> {
  let inFlight = 0;
  let drained: (() => void) | null = null;

  const server: Server = createServer(
    {
      requestTimeout: opts.requestTimeoutMs ?? 30_000,
      headersTimeout: opts.headersTimeoutMs ?? 10_000,
      // Node checks the two timeouts above on this interval (default 30 s), so a slow client could
      // otherwise hold a socket for up to 30 s past its deadline.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor((opts.headersTimeoutMs ?? 10_000) / 4))),
      keepAliveTimeout: 5_000,
      maxHeaderSize: 16 * 1024,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      inFlight++;
      let finished = false;
      const done = (): void => {
        if (finished) return;
        finished = true;
        inFlight--;
        if (inFlight === 0 && drained) drained();
      };
      res.on("close", done);
      res.on("finish", done);

      const method = req.method ?? "GET";
      const path = req.url ?? "/";
      const declared = Number(req.headers["content-length"]);
      if (Number.isFinite(declared) && declared > opts.maxBodyBytes) {
        onRejected({ reason: "too-large", status: 413, method, path, detail: `declared ${declared} bytes, limit ${opts.maxBodyBytes}` });
        res.setHeader("connection", "close");
        send(res, { status: 413, headers: { "content-type": "application/json" }, body: JSON.stringify({ error: "payload_too_large", limit: opts.maxBodyBytes }) });
        req.resume();
        return;
      }

      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      req.on("data", (chunk: Buffer) => {
        if (tooLarge) return;
        size += chunk.length;
        if (size > opts.maxBodyBytes) {
          tooLarge = true;
          chunks.length = 0;
          onRejected({ reason: "too-large", status: 413, method, path, detail: `more than ${opts.maxBodyBytes} bytes` });
          res.setHeader("connection", "close");
          send(res, { status: 413, headers: { "content-type": "application/json" }, body: JSON.stringify({ error: "payload_too_large", limit: opts.maxBodyBytes }) });
          return;
        }
        chunks.push(chunk);
      });
      req.on("error", () => {
        /* client went away; 'aborted' below reports it */
      });
      req.on("aborted", () => {
        if (!tooLarge) onRejected({ reason: "aborted", status: 0, method, path, detail: "client closed the connection before sending the whole body" });
      });
      req.on("end", () => {
        if (tooLarge) return;
        const receivedAt = Date.now();
        handler({ method, path, headers: req.headers, body: Buffer.concat(chunks, size) }, { remoteAddress: req.socket.remoteAddress, receivedAt })
          .then((answer) => send(res, answer))
          .catch((err: unknown) => {
            // Never let a bug turn into a 4xx that Sinch would drop: 500 makes Sinch retry.
            onRejected({ reason: "handler-error", status: 500, method, path, detail: err instanceof Error ? err.message : String(err) });
            send(res, { status: 500, headers: { "content-type": "application/json" }, body: JSON.stringify({ error: "internal_error" }) });
          });
      });
    },
  );
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    // Malformed requests, header overflow (431) and timeouts (408) get an answer instead of a silent close.
    if (!socket.writable) return socket.destroy();
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
    const text = status === 431 ? "Request Header Fields Too Large" : status === 408 ? "Request Timeout" : "Bad Request";
    socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off("listening", onListening);
      if (err.code === "EADDRINUSE") {
        reject(new SinchHooksError("SH_PORT_IN_USE", "usage", `port ${opts.port} on ${opts.host} is already in use`, { hint: `stop the other program, or pick another port: --port ${opts.port + 1} (or --port 0 for any free port)` }));
      } else if (err.code === "EACCES") {
        reject(new SinchHooksError("SH_PORT_DENIED", "usage", `not allowed to listen on port ${opts.port}`, { hint: "ports below 1024 need privileges; use a higher --port" }));
      } else if (err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND") {
        reject(new SinchHooksError("SH_HOST_UNAVAILABLE", "usage", `cannot listen on host ${opts.host}: no such local address`, { hint: "use --host 127.0.0.1 (default) or 0.0.0.0" }));
      } else {
        reject(new SinchHooksError("SH_LISTEN_FAILED", "usage", `cannot listen on ${opts.host}:${opts.port}: ${err.message}`));
      }
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(opts.port, opts.host);
  });

  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const displayHost = opts.host === "0.0.0.0" || opts.host === "::" ? "127.0.0.1" : hostForUrl;
  let closing: Promise<void> | null = null;

  return {
    url: `http://${displayHost}:${address.port}`,
    port: address.port,
    host: opts.host,
    inFlight: () => inFlight,
    close(graceMs = 10_000) {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        const waitDrain = inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => (drained = r));
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        void waitDrain.then(() => {
          clearTimeout(timer);
          // Keep-alive sockets that are now idle would otherwise hold close() open.
          server.closeIdleConnections();
          setImmediate(() => server.closeAllConnections());
        });
      });
      return closing;
    },
  };
}
