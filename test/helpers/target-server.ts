import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Behaviour =
  | { kind: "status"; status: number; body?: string }
  | { kind: "delay"; ms: number; status: number }
  | { kind: "hang" }
  | { kind: "reset" };

/**
 * A real HTTP server on 127.0.0.1:0 standing in for the developer's app: records every request and
 * answers according to a script (one behaviour per request, the last one repeating).
 */
export class TargetServer {
  readonly received: ReceivedRequest[] = [];
  private server: Server;
  private script: Behaviour[];
  private waiters: { n: number; resolve: () => void }[] = [];
  private hanging: ServerResponse[] = [];

  constructor(script: Behaviour[] = [{ kind: "status", status: 200 }]) {
    this.script = script;
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const i = this.received.length;
        this.received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
        this.waiters = this.waiters.filter((w) => (this.received.length >= w.n ? (w.resolve(), false) : true));
        const b = this.script[Math.min(i, this.script.length - 1)]!;
        if (b.kind === "status") res.writeHead(b.status, { "content-type": "text/plain" }).end(b.body ?? `status ${b.status}`);
        else if (b.kind === "delay") setTimeout(() => res.writeHead(b.status).end("late"), b.ms);
        else if (b.kind === "hang") this.hanging.push(res);
        else req.socket.destroy();
      });
    });
  }

  setScript(script: Behaviour[]): void {
    this.script = script;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves once n requests have arrived. */
  waitFor(n: number): Promise<void> {
    if (this.received.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
