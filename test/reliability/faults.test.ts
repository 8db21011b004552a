/**
 * Faults on the --forward-to target (issue #7): whatever the app does, the listener answers a 5xx that
 * Sinch retries within its forward timeout, and serves the next callback.
 */
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { listen, type Listener, type ListenEvent } from "../../src/listen/index.js";

const MO = (n: number): string =>
  JSON.stringify({ type: "mo_text", id: `01JFAKEFAULT${String(n).padStart(14, "0")}`, from: "+15550100001", to: "+15550100002", body: `fault ${n}`, received_at: "2026-11-27T12:00:00Z" });

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).toReversed()) await c();
});

/** A raw TCP "app" whose behaviour per connection is scripted; the n-th request gets script[n]. */
async function tcpApp(handle: (socket: Socket, n: number) => void): Promise<number> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buf = "";
    socket.on("data", (d) => {
      buf += d.toString("latin1");
      // One request per connection is enough here: answer once the headers and body are in.
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const len = Number(/content-length: (\d+)/i.exec(buf)?.[1] ?? 0);
      if (buf.length - end - 4 < len) return;
      buf = "";
      handle(socket, n++);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return (server.address() as AddressInfo).port;
}

async function listenerTo(port: number, timeoutMs = 1_000): Promise<{ l: Listener; events: ListenEvent[] }> {
  const events: ListenEvent[] = [];
  const l = await listen(
    { host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, forwardTo: new URL(`http://127.0.0.1:${port}/app`), forwardTimeoutMs: timeoutMs, redact: false, oauthTokenTtlSeconds: 60, strictSchema: false },
    (e) => events.push(e),
  );
  closers.push(() => l.close(500));
  return { l, events };
}

async function post(url: string, body: string): Promise<number> {
  const res = await request(url, { method: "POST", body });
  await res.body.dump();
  return res.statusCode;
}

const OK = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

describe("forward target faults", () => {
  it("resets in the middle of its response → 5xx, then the next callback is delivered", async () => {
    const port = await tcpApp((s, n) => {
      if (n === 0) {
        s.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial");
        setImmediate(() => s.destroy());
      } else s.end(OK);
    });
    const { l, events } = await listenerTo(port);
    expect(await post(l.url, MO(1))).toBeGreaterThanOrEqual(500);
    expect(await post(l.url, MO(2))).toBe(200);
    const first = events.find((e) => e.event === "callback");
    expect(first?.event === "callback" && first.statusSource).toBe("app-unreachable");
  });

  it("answers garbage instead of HTTP → 5xx, then the next callback is delivered", async () => {
    const port = await tcpApp((s, n) => (n === 0 ? s.end("this is not http\r\n\r\n") : s.end(OK)));
    const { l } = await listenerTo(port);
    expect(await post(l.url, MO(1))).toBeGreaterThanOrEqual(500);
    expect(await post(l.url, MO(2))).toBe(200);
  });

  it("answers after the forward timeout → 5xx within the bound, then serves the next", async () => {
    const port = await tcpApp((s, n) => (n === 0 ? setTimeout(() => s.end(OK), 3_000).unref() : s.end(OK)));
    const { l, events } = await listenerTo(port, 300);
    expect(await post(l.url, MO(1))).toBeGreaterThanOrEqual(500);
    const first = events.find((e) => e.event === "callback");
    expect(first?.event === "callback" && first.forward?.error?.kind).toBe("timeout");
    // Bounded by the forward timeout, not the app's 3 s: checked through the reported latency.
    expect(first?.event === "callback" && first.forward!.latencyMs).toBeLessThan(3_000);
    expect(await post(l.url, MO(2))).toBe(200);
  });

  it("refuses connections → 503, and keeps serving", async () => {
    const port = await tcpApp(() => {});
    await closers.pop()!(); // stop the app: its port now refuses
    const { l } = await listenerTo(port);
    expect(await post(l.url, MO(1))).toBe(503);
    expect(await post(l.url, MO(2))).toBe(503);
  });

  it("closes its keep-alive sockets after every answer → every callback still reaches it", async () => {
    let received = 0;
    const app = createHttpServer((req, res) => {
      req.resume();
      req.on("end", () => {
        received++;
        // Answer as keep-alive, then drop the socket anyway: the pooled connection goes stale.
        res.end("ok", () => setImmediate(() => req.socket.destroy()));
      });
    });
    await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
    closers.push(async () => {
      app.closeAllConnections();
      await new Promise<void>((r) => app.close(() => r()));
    });
    const { l } = await listenerTo((app.address() as AddressInfo).port);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push(await post(l.url, MO(i)));
    // A stale pooled socket must never turn into a lost callback: each one is either delivered
    // or answered with a 5xx that Sinch retries.
    expect(statuses.every((s) => s === 200 || s >= 500)).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBe(received);
    expect(received).toBeGreaterThanOrEqual(25);
  });
});
