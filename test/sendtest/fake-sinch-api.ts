import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface SinchApiRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP server on 127.0.0.1:0 standing in for the Sinch SMS REST API: records every request and
 * answers with the scripted status and body (201 and a batch object by default, as Sinch does).
 */
export class FakeSinchApi {
  readonly received: SinchApiRequest[] = [];
  private server: Server;
  answer: { status: number; body: string } = {
    status: 201,
    body: JSON.stringify({ id: "01JFAKEBATCH00000000000001", to: ["15551234567"], from: "12345", canceled: false, type: "mt_text", delivery_report: "per_recipient" }),
  };

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(this.answer.status, { "content-type": "application/json" }).end(this.answer.body);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
