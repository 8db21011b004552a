import { request } from "undici";
import { runListen, type ListenFlags } from "../../src/listen/command.js";
import { fakeIo, type FakeIo } from "../helpers/fake-io.js";

export const listenFlags = (over: Partial<ListenFlags> = {}): ListenFlags => ({
  host: "127.0.0.1",
  port: 0,
  maxBody: 1024 * 1024,
  signatureTolerance: 300,
  oauthTokenTtl: 3600,
  forwardTimeout: 5_000,
  tunnel: "none",
  tunnelTimeout: 2_000,
  inspectPort: 0,
  ...over,
});

export interface RunningListen {
  io: FakeIo;
  localUrl: string;
  inspectorUrl: string;
  stop(): Promise<number>;
}

/** `listen --json` through the CLI path, with the inspector on a free port; resolves once it is ready. */
export async function startListen(over: Partial<ListenFlags> = {}): Promise<RunningListen> {
  const io = fakeIo({ now: Date.now, env: { NO_COLOR: "1" } });
  const ac = new AbortController();
  const running = runListen(listenFlags({ json: true, ...over }), io, ac.signal, "9.9.9");
  const ready = await Promise.race([
    io.stdout.waitFor(/^\{"event":"ready".*\n/),
    running.then(() => {
      throw new Error(`listen ended before it was ready: ${io.stderr.text()}`);
    }),
  ]);
  const { local_url, inspector_url } = JSON.parse(ready[0]) as { local_url: string; inspector_url: string };
  return {
    io,
    localUrl: local_url,
    inspectorUrl: inspector_url,
    stop: async () => {
      ac.abort();
      return running;
    },
  };
}

export const MO = (id: string, body = "hello inspector"): string =>
  JSON.stringify({ type: "mo_text", id, from: "+15550100001", to: "+15550100002", body, received_at: "2026-11-27T12:00:00Z" });

export async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  await res.body.dump();
  return res.statusCode;
}

export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await request(url);
  return { status: res.statusCode, body: (await res.body.json()) as T };
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads a server-sent-event stream with undici and lets a test wait for the event it expects. */
export class SseReader {
  readonly events: SseEvent[] = [];
  private waiters: { match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
  private destroy: () => void = () => {};
  status = 0;
  contentType = "";

  async open(url: string): Promise<this> {
    const res = await request(url, { headers: { accept: "text/event-stream" } });
    this.status = res.statusCode;
    this.contentType = String(res.headers["content-type"] ?? "");
    this.destroy = () => res.body.destroy();
    let buf = "";
    res.body.setEncoding("utf8");
    res.body.on("data", (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let event = "message";
        let data = "";
        for (const line of frame.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (data === "") continue;
        const e = { event, data: JSON.parse(data) as unknown };
        this.events.push(e);
        this.waiters = this.waiters.filter((w) => (w.match(e) ? (w.resolve(e), false) : true));
      }
    });
    res.body.on("error", () => {});
    return this;
  }

  next(event: string, match: (data: never) => boolean = () => true): Promise<SseEvent> {
    const test = (e: SseEvent): boolean => e.event === event && match(e.data as never);
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match: test, resolve }));
  }

  close(): void {
    this.destroy();
  }
}
