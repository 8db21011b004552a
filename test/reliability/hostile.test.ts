/**
 * Hostile and broken clients against a real listener: none of them may crash it, hold it, or keep the
 * next honest callback from being answered (issue #7).
 */
import { connect, type Socket } from "node:net";
import { Readable } from "node:stream";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { listen, type Listener, type ListenEvent, type ListenOptions } from "../../src/listen/index.js";

const base: ListenOptions = {
  host: "127.0.0.1",
  port: 0,
  maxBodyBytes: 64 * 1024,
  forwardTimeoutMs: 2_000,
  redact: false,
  oauthTokenTtlSeconds: 3600,
  strictSchema: false,
  headersTimeoutMs: 300,
  requestTimeoutMs: 600,
};
const MO = JSON.stringify({ type: "mo_text", id: "01JFAKEMSG0000000000000001", from: "+15550100001", to: "+15550100002", body: "still here", received_at: "2026-11-27T12:00:00Z" });

let listener: Listener | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await listener?.close(500);
  listener = undefined;
});

async function start(): Promise<{ port: number; url: string; events: ListenEvent[] }> {
  const events: ListenEvent[] = [];
  listener = await listen(base, (e) => events.push(e));
  return { port: listener.port, url: listener.url, events };
}

/** Opens a raw TCP connection, writes `chunks`, and resolves with everything the server sent until it closed. */
function raw(port: number, chunks: (string | Buffer)[], opts: { keepOpen?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1");
    sockets.push(s);
    let got = "";
    s.on("data", (d) => (got += d.toString("latin1")));
    s.on("close", () => resolve(got));
    s.on("error", reject);
    s.on("connect", () => {
      for (const c of chunks) s.write(c);
      if (!opts.keepOpen) s.end();
    });
  });
}

async function* bigChunks(): AsyncGenerator<Buffer> {
  for (let i = 0; i < 20; i++) yield Buffer.alloc(16 * 1024, 0x62);
}

async function stillServes(url: string): Promise<void> {
  const res = await request(url, { method: "POST", body: MO });
  expect(res.statusCode).toBe(200);
  await res.body.dump();
}

describe("hostile clients", () => {
  it("a client that never finishes its headers is timed out (408) and the listener keeps serving", async () => {
    const { port, url } = await start();
    const answer = await raw(port, ["POST / HTTP/1.1\r\nHost: x\r\nX-Slow: "], { keepOpen: true });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    await stillServes(url);
  });

  it("a client that never finishes its body is timed out and the listener keeps serving", async () => {
    const { port, url } = await start();
    const answer = await raw(port, ["POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"type\":"], { keepOpen: true });
    // Node answers 408 when the request timeout fires mid-body, or just closes; either way it is not held open.
    expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
    await stillServes(url);
  });

  it("too many header bytes get 431", async () => {
    const { port, url } = await start();
    const headers = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${"v".repeat(60)}\r\n`).join("");
    const answer = await raw(port, [`POST / HTTP/1.1\r\nHost: x\r\n${headers}Content-Length: 2\r\n\r\n{}`]);
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
    await stillServes(url);
  });

  it("an oversized body gets 413, declared or streamed without a length", async () => {
    const { url, events } = await start();
    const big = Buffer.alloc(200 * 1024, 0x61);
    const declared = await request(url, { method: "POST", body: big });
    expect(declared.statusCode).toBe(413);
    await declared.body.dump();
    const streamed = await request(url, { method: "POST", body: Readable.from(bigChunks()) }).catch((e: unknown) => e);
    if (!(streamed instanceof Error)) {
      expect((streamed as { statusCode: number }).statusCode).toBe(413);
      await (streamed as { body: { dump(): Promise<void> } }).body.dump();
    }
    expect(events.filter((e) => e.event === "rejected").length).toBeGreaterThanOrEqual(1);
    await stillServes(url);
  });

  it("invalid UTF-8 is a clear 400, not a crash", async () => {
    const { url, events } = await start();
    const res = await request(url, { method: "POST", body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) });
    expect(res.statusCode).toBe(400);
    await res.body.dump();
    const e = events.find((x) => x.event === "callback");
    expect(e && e.event === "callback" && e.decision.parseError).toBeTruthy();
    await stillServes(url);
  });

  it("deeply nested JSON does not overflow the stack", async () => {
    const { url } = await start();
    for (const body of ["[".repeat(30_000) + "]".repeat(30_000), `{"type":"mo_text","body":${"[".repeat(20_000)}${"]".repeat(20_000)}}`, "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)]) {
      const res = await request(url, { method: "POST", body });
      expect([200, 400]).toContain(res.statusCode);
      await res.body.dump();
    }
    await stillServes(url);
  });

  it("garbage that is not HTTP gets 400 and the socket closed", async () => {
    const { port, url } = await start();
    const answer = await raw(port, [Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00])]);
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    await stillServes(url);
  });
});
