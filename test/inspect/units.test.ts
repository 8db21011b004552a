/**
 * The inspector's pure parts (Host/Origin rules, the bounded history) and the listener's live response
 * plan, on their own.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { checkHost, checkOrigin, createHistory, type CallbackEvent } from "../../src/inspect/index.js";
import { createSseHub } from "../../src/inspect/sse.js";
import { listen, type ListenEvent, type Listener } from "../../src/listen/index.js";
import { MO } from "./helpers.js";

describe("checkHost", () => {
  it.each<[string | undefined, boolean]>([
    ["127.0.0.1:7463", true],
    ["localhost:7463", true],
    ["Localhost:7463", true],
    ["[::1]:7463", true],
    ["127.0.0.1:7464", false],
    ["127.0.0.1", false],
    ["evil.example:7463", false],
    ["127.0.0.1.evil.example:7463", false],
    ["localhost.:7463", false],
    ["[::2]:7463", false],
    ["127.0.0.2:7463", false],
    ["0.0.0.0:7463", false],
    ["127.0.0.1:7463:1", false],
    ["", false],
    [undefined, false],
  ])("%s → %s", (host, ok) => {
    expect(checkHost(host, 7463).ok).toBe(ok);
  });

  it("a Host without a port is only the default port 80", () => {
    expect(checkHost("localhost", 80).ok).toBe(true);
  });

  it.each<[string | undefined, boolean]>([
    [undefined, true],
    ["http://127.0.0.1:7463", true],
    ["http://localhost:7463", true],
    ["https://127.0.0.1:7463", false],
    ["http://evil.example", false],
    ["null", false],
  ])("Origin %s → %s", (origin, ok) => {
    expect(checkOrigin(origin, 7463).ok).toBe(ok);
  });
});

/** A callback event as the listener emits it, with just what the history reads. */
function event(seq: number, body: string): CallbackEvent {
  const payload = JSON.parse(body) as unknown;
  return {
    event: "callback",
    seq,
    receivedAt: 1_000 * seq,
    method: "POST",
    path: "/",
    headers: {},
    body: Buffer.from(body),
    decision: { kind: "callback", answer: { status: 200, headers: {}, body: "" }, accepted: true, planned: false, payload, type: "mo_text", auth: [], seen: { attempt: 1, firstSeenMs: 0, previousSeenMs: null } },
    status: 200,
    latencyMs: 1,
    statusSource: "listener",
    sinch: { outcome: { class: "delivered", reason: "2xx", lowersRate: false, assumption: false }, text: "→ delivered" },
  };
}

const big = (id: string): string => MO(id, "x".repeat(120));

describe("createHistory", () => {
  it("groups deliveries by the listener's duplicate key and drops the oldest beyond maxEntries", () => {
    const h = createHistory({ maxEntries: 3, maxBodyBytes: 1e9 });
    const a = MO("A");
    expect(h.add(event(1, a)).evicted).toEqual([]);
    h.add(event(2, MO("B")));
    const third = h.add(event(3, a)).entry;
    expect(third.groupId).toBe(h.get(1)!.groupId);
    expect(h.group(third.groupId).map((e) => e.id)).toEqual([1, 3]);
    expect(h.add(event(4, MO("C"))).evicted).toEqual([1]);
    expect(h.group(third.groupId).map((e) => e.id)).toEqual([3]);
    expect(h.all().map((e) => e.id)).toEqual([2, 3, 4]);
    expect(h.add(event(5, MO("D"))).evicted).toEqual([2]);
    expect(h.size).toBe(3);
  });

  it("also bounds the bytes of bodies kept, but always keeps the newest", () => {
    const h = createHistory({ maxEntries: 100, maxBodyBytes: 300 });
    h.add(event(1, big("A")));
    const { evicted } = h.add(event(2, big("B")));
    expect(evicted).toEqual([1]);
    expect(h.bodyBytes).toBeLessThanOrEqual(300);
    const huge = h.add(event(3, MO("C", "y".repeat(1_000))));
    expect(huge.evicted).toEqual([2]);
    expect(h.all().map((e) => e.id)).toEqual([3]);
  });

  it("keeps at most 20 replays per entry", () => {
    const h = createHistory({ maxEntries: 2, maxBodyBytes: 1e9 });
    h.add(event(1, MO("A")));
    for (let i = 0; i < 25; i++) h.addReplay(1, { at: i, result: { ok: true, status: 200, latencyMs: 1 } });
    expect(h.get(1)!.replays.map((r) => r.at)).toEqual(Array.from({ length: 20 }, (_, i) => i + 5));
    expect(h.addReplay(99, { at: 0, result: { ok: true, latencyMs: 1 } })).toBe(false);
  });
});

describe("createSseHub", () => {
  it("refuses streams beyond maxClients and frees a slot when a client leaves", async () => {
    const hub = createSseHub({ maxClients: 1 });
    const server = createServer((_req, res) => {
      if (!hub.add(res, { event: "snapshot", data: { n: hub.size } })) res.writeHead(503).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const first = await request(url);
      expect(first.statusCode).toBe(200);
      const second = await request(url);
      expect(second.statusCode).toBe(503);
      await second.body.dump();
      const closed = new Promise<void>((r) => first.body.once("close", () => r()));
      first.body.destroy();
      await closed;
      // The server notices the closed socket on its own schedule: wait for the slot, generously.
      await expect.poll(() => hub.size, { timeout: 5_000 }).toBe(0);
      const third = await request(url);
      expect(third.statusCode).toBe(200);
      third.body.destroy();
    } finally {
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("sends one event frame per broadcast to every open stream", async () => {
    const hub = createSseHub();
    const server = createServer((_req, res) => void hub.add(res, { event: "snapshot", data: {} }));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const res = await request(url);
      res.body.setEncoding("utf8");
      let text = "";
      const got = new Promise<void>((resolve) =>
        res.body.on("data", (c: string) => {
          text += c;
          if (text.includes("event: callback")) resolve();
        }),
      );
      await expect.poll(() => hub.size, { timeout: 5_000 }).toBe(1);
      hub.broadcast("callback", { id: 7, text: "line1\nline2" });
      await got;
      expect(text).toMatch(/^retry: 2000\nid: 1\nevent: snapshot\ndata: \{\}\n\nid: 2\nevent: callback\ndata: \{"id":7,"text":"line1\\nline2"\}\n\n$/);
      res.body.destroy();
    } finally {
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("listener.setRespond", () => {
  let listener: Listener | undefined;
  afterEach(async () => {
    await listener?.close(1_000);
    listener = undefined;
  });

  it("changes the plan from the next callback on; undefined goes back to 200", async () => {
    const events: ListenEvent[] = [];
    listener = await listen(
      { host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, forwardTimeoutMs: 1_000, redact: false, oauthTokenTtlSeconds: 60, strictSchema: false },
      (e) => events.push(e),
    );
    const send = async (id: string): Promise<number> => {
      const res = await request(listener!.url, { method: "POST", body: MO(id) });
      await res.body.dump();
      return res.statusCode;
    };
    expect(listener.respond).toBeUndefined();
    expect(await send("S1")).toBe(200);
    listener.setRespond({ statuses: [503, 200] });
    expect(listener.respond).toEqual({ statuses: [503, 200] });
    expect(await send("S2")).toBe(503);
    expect(await send("S2")).toBe(200);
    listener.setRespond(undefined);
    expect(await send("S3")).toBe(200);
    const callbacks = events.filter((e): e is CallbackEvent => e.event === "callback");
    expect(callbacks.map((e) => e.statusSource)).toEqual(["listener", "respond", "respond", "listener"]);
    expect(callbacks[1]!.body.toString()).toBe(MO("S2"));
  });
});
