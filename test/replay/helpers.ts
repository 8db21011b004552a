import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { createTokenStore, handleTokenRequest, type TokenStore } from "../../src/sign/oauth.js";
import { fakeIo, type FakeIo } from "../helpers/fake-io.js";

export interface ReplayRun {
  code: number;
  out: string;
  err: string;
  io: FakeIo;
}

/** Runs `sinch-hooks replay …` through the real CLI entry point, with a real clock unless `now` is given. */
export async function replay(
  args: string[],
  opts: { env?: Record<string, string | undefined>; stdin?: string; signal?: AbortSignal; now?: () => number; io?: FakeIo } = {},
): Promise<ReplayRun> {
  const io = opts.io ?? fakeIo({ env: opts.env ?? {}, stdin: opts.stdin, now: opts.now ?? Date.now });
  const code = await main(["replay", ...args], { io, signal: opts.signal ?? new AbortController().signal });
  return { code, out: io.stdout.text(), err: io.stderr.text(), io };
}

export interface TempDir {
  path: string;
  file(name: string, content: string | Buffer): Promise<string>;
  remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), "sinch-hooks-replay-"));
  return {
    path,
    async file(name, content) {
      const p = join(path, name);
      await writeFile(p, content);
      return p;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/** A real OAuth 2.0 client-credentials token endpoint (the project's own) on 127.0.0.1, counting requests. */
export class TokenServer {
  readonly store: TokenStore;
  requests = 0;
  private server: Server;

  constructor(creds: { clientId: string; clientSecret: string }, opts: { ttlSeconds?: number; failWith?: number } = {}) {
    this.store = createTokenStore({ ttlSeconds: opts.ttlSeconds ?? 3600 });
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.requests++;
        if (opts.failWith !== undefined) {
          res.writeHead(opts.failWith, { "content-type": "application/json" }).end(JSON.stringify({ error: "server_error", error_description: "token store offline" }));
          return;
        }
        const r = handleTokenRequest({ method: req.method ?? "", headers: req.headers, body: Buffer.concat(chunks) }, creds, this.store, Date.now());
        res.writeHead(r.status, r.headers).end(r.body);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth/token`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A target that notes when each request arrived (performance.now(), ms) and answers 200. */
export class ArrivalServer {
  readonly arrivals: { at: number; headers: IncomingHttpHeaders; body: Buffer }[] = [];
  private server = createServer((req, res) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      this.arrivals.push({ at, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200).end("ok");
    });
  });

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

// ---------------------------------------------------------------------------------------------
// A tiny XML reader: enough of XML 1.0 to parse a JUnit report back and to fail on one that is not
// well-formed (unclosed or mismatched tags, stray "<" or "&", unquoted attributes).

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(Number(e.slice(1)));
    return ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
}

function checkText(s: string): string {
  if (/[<]/.test(s) || /&(?!(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);)/.test(s)) throw new Error(`not well-formed text: ${JSON.stringify(s.slice(0, 80))}`);
  return unescapeXml(s);
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const source = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const root: XmlElement = { name: "#document", attrs: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  while (i < source.length) {
    const lt = source.indexOf("<", i);
    const text = source.slice(i, lt === -1 ? source.length : lt);
    stack.at(-1)!.text += checkText(text);
    if (lt === -1) break;
    const gt = source.indexOf(">", lt);
    if (gt === -1) throw new Error("unterminated tag");
    const tag = source.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith("/")) {
      const open = stack.pop();
      if (!open || open.name !== tag.slice(1).trim()) throw new Error(`mismatched </${tag.slice(1)}>`);
      continue;
    }
    const selfClosing = tag.endsWith("/");
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*$/.exec(body);
    if (!m) throw new Error(`malformed tag <${tag}>`);
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) attrs[a[1]!] = checkText(a[2]!);
    const el: XmlElement = { name: m[1]!, attrs, children: [], text: "" };
    stack.at(-1)!.children.push(el);
    if (!selfClosing) stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  if (root.children.length !== 1 || root.text.trim() !== "") throw new Error("a document has exactly one root element");
  return root.children[0]!;
}

export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}
