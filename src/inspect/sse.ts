/**
 * Server-sent events to the open inspector pages. Bounded on both axes: at most `maxClients` streams,
 * and a client that stops reading (its socket buffer passes `maxBufferedBytes`) is dropped instead of
 * letting its backlog grow in our memory; its EventSource reconnects and gets a fresh snapshot.
 */
import type { ServerResponse } from "node:http";

export interface SseHub {
  /** Starts a stream on `res`; false when the hub is full (the caller answers 503). */
  add(res: ServerResponse, first: { event: string; data: unknown }): boolean;
  broadcast(event: string, data: unknown): void;
  readonly size: number;
  /** Ends every stream (shutdown). */
  close(): void;
}

export interface SseOptions {
  maxClients?: number;
  maxBufferedBytes?: number;
  /** Comment lines keep proxies and idle timers from closing a quiet stream. */
  heartbeatMs?: number;
}

function frame(event: string, data: unknown, id?: number): string {
  // JSON.stringify never emits a raw newline, so one data: line per event is enough.
  return `${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function createSseHub(opts: SseOptions = {}): SseHub {
  const maxClients = opts.maxClients ?? 16;
  const maxBuffered = opts.maxBufferedBytes ?? 1024 * 1024;
  const clients = new Set<ServerResponse>();
  let counter = 0;

  const drop = (res: ServerResponse): void => {
    if (!clients.delete(res)) return;
    res.destroy();
  };
  const write = (res: ServerResponse, chunk: string): void => {
    if (res.destroyed || res.writableEnded) return drop(res);
    if (res.writableLength > maxBuffered) return drop(res);
    res.write(chunk);
  };

  const heartbeat = setInterval(() => {
    for (const res of clients) write(res, ": keep-alive\n\n");
  }, opts.heartbeatMs ?? 15_000);
  heartbeat.unref();

  return {
    add(res, first) {
      if (clients.size >= maxClients) return false;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      clients.add(res);
      res.on("close", () => clients.delete(res));
      // retry: how long EventSource waits before reconnecting after the stream drops.
      write(res, `retry: 2000\n${frame(first.event, first.data, ++counter)}`);
      return true;
    },
    broadcast(event, data) {
      if (clients.size === 0) return;
      const chunk = frame(event, data, ++counter);
      for (const res of clients) write(res, chunk);
    },
    get size() {
      return clients.size;
    },
    close() {
      clearInterval(heartbeat);
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
