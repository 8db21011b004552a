/**
 * A small, well-behaved Sinch callback endpoint on node:http, written the way the README advises —
 * and a switchboard of realistic mistakes (`faults`), one per check, so every check is shown to pass
 * against a correct endpoint and to fail, for the stated reason, against a broken one.
 *
 * Correct behaviour: credentials checked first (Basic or Bearer from its own token endpoint), then
 * HMAC over the raw bytes (valid but stale or replayed signatures accepted, as listen does by default),
 * then JSON parsing (400 when it fails), then idempotent handling keyed like a database would, tolerant
 * of unknown fields, codes and types, and of per-recipient reports arriving out of order.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkBasic } from "../../src/sign/basic.js";
import { createNonceCache, verifyHmac, type NonceCache } from "../../src/sign/hmac.js";
import { checkBearer, createTokenStore, handleTokenRequest, type TokenStore } from "../../src/sign/oauth.js";

export interface Faults {
  /** Verify the HMAC over JSON.stringify(JSON.parse(raw)), as a handler behind express.json() might. */
  reserialize?: boolean;
  /** Never look at the signature headers. */
  noSignatureCheck?: boolean;
  /** A bad signature throws, and surfaces as a 500 instead of a 401. */
  signatureFailure500?: boolean;
  /** Refuse (401) valid signatures that are stale (> 300 s) or whose nonce was seen before. */
  strictFreshness?: boolean;
  /** A unique-key violation on a repeated callback surfaces as a 500. */
  duplicate500?: boolean;
  /** Check-then-insert with a slow insert in between: only copies arriving together collide (500). */
  duplicateRace?: boolean;
  /** JSON.parse throws and nobody catches it: 500. */
  badJson500?: boolean;
  /** JSON.parse throws and the handler answers 200 anyway. */
  badJson200?: boolean;
  /** `switch (type)` whose default branch throws: 500. */
  unknownType500?: boolean;
  /** Types it does not handle are refused with 400 (a deliberate "ignore"). */
  unknownType400?: boolean;
  /** A strict schema that refuses fields it does not know: 400. */
  strictFields400?: boolean;
  /** A state machine that throws on Dispatched after Delivered: 500. */
  outOfOrder500?: boolean;
  /** Answers these types only after `ms`. */
  slow?: { types: readonly string[]; ms: number };
  /** Never answers these types. */
  hang?: { types: readonly string[] };
  /** Only checks that an Authorization header with the right scheme is present. */
  acceptAnyCredentials?: boolean;
  /** The token endpoint issues a token to anyone who asks. */
  tokenForAnySecret?: boolean;
  /** Drops every connection without an answer. */
  resetAll?: boolean;
}

export interface ReferenceOptions {
  hmacSecret?: string;
  basic?: { user: string; password: string };
  oauth?: { clientId: string; clientSecret: string };
  faults?: Faults;
}

export interface Received {
  type: string | null;
  status: number;
}

const TOKEN_PATH = "/oauth/token";
const INTERMEDIATE = new Set(["Queued", "Dispatched"]);
const RACE_INSERT_MS = 400;

const KNOWN_FIELDS: Record<string, readonly string[]> = {
  mo: ["type", "id", "from", "to", "body", "udh", "received_at", "sent_at", "operator_id", "client_reference"],
  dr: ["type", "batch_id", "statuses", "total_message_count", "client_reference"],
  rdr: ["type", "batch_id", "recipient", "code", "status", "at", "operator_status_at", "client_reference", "applied_originator", "encoding", "number_of_message_parts", "operator"],
};

function family(type: string): "mo" | "dr" | "rdr" | null {
  if (type === "mo_text" || type === "mo_binary" || type === "mo_media") return "mo";
  if (type === "delivery_report_sms" || type === "delivery_report_mms") return "dr";
  if (type === "recipient_delivery_report_sms" || type === "recipient_delivery_report_mms") return "rdr";
  return null;
}

/** The key a database would put a unique index on. */
function keyOf(p: Record<string, unknown>): string {
  const f = family(String(p.type));
  if (f === "mo") return `mo:${String(p.id)}`;
  if (f === "rdr") return `rdr:${String(p.batch_id)}:${String(p.recipient)}:${String(p.status)}:${String(p.code)}`;
  return `other:${JSON.stringify(p)}`;
}

export class ReferenceEndpoint {
  readonly received: Received[] = [];
  private readonly server: Server;
  private readonly options: ReferenceOptions;
  private readonly faults: Faults;
  private readonly stored = new Set<string>();
  private readonly finalStatus = new Map<string, string>();
  private readonly nonces: NonceCache = createNonceCache();
  private readonly tokens: TokenStore = createTokenStore({ ttlSeconds: 600 });
  private readonly stopping = new AbortController();

  constructor(options: ReferenceOptions = {}) {
    this.options = options;
    this.faults = options.faults ?? {};
    this.server = createServer((req, res) => {
      if (this.faults.resetAll) {
        req.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.handle(req, Buffer.concat(chunks)).then(
          ({ status, body }) => {
            if (status === 0) return; // hanging on purpose
            if (!res.headersSent && !res.destroyed) res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
          },
          (err: unknown) => this.fail(res, err),
        );
      });
    });
  }

  private fail(res: ServerResponse, err: unknown): void {
    // An uncaught exception in a handler: what Express and friends turn into a 500.
    if (!res.headersSent && !res.destroyed) res.writeHead(500, { "content-type": "text/plain" }).end(`Internal Server Error: ${(err as Error).message}`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.stopping.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, raw: Buffer): Promise<{ status: number; body: unknown }> {
    const answer = (status: number, body: unknown) => {
      this.received.push({ type: typeOf(raw), status });
      return { status, body };
    };
    const path = (req.url ?? "/").split("?")[0];
    const now = Date.now();

    if (this.options.oauth && path === TOKEN_PATH) {
      if (this.faults.tokenForAnySecret) return { status: 200, body: { access_token: this.tokens.issue(now).accessToken, token_type: "Bearer", expires_in: 600 } };
      const r = handleTokenRequest({ method: req.method ?? "GET", headers: req.headers, body: raw }, this.options.oauth, this.tokens, now);
      return { status: r.status, body: JSON.parse(r.body) as unknown };
    }
    if (req.method !== "POST") return answer(405, { error: "POST only" });

    // 1. Credentials.
    const authorization = req.headers.authorization;
    if (this.options.basic) {
      const ok = this.faults.acceptAnyCredentials ? /^Basic /i.test(authorization ?? "") : checkBasic(authorization, this.options.basic).ok;
      if (!ok) return answer(401, { error: "unauthorized" });
    }
    if (this.options.oauth) {
      const ok = this.faults.acceptAnyCredentials ? /^Bearer \S+/i.test(authorization ?? "") : checkBearer(authorization, this.tokens, now).ok;
      if (!ok) return answer(401, { error: "unauthorized" });
    }

    // 2. Signature, over the raw bytes (or, with the fault, over what a JSON library writes back).
    if (this.options.hmacSecret && !this.faults.noSignatureCheck) {
      let signed: Buffer = raw;
      if (this.faults.reserialize) {
        try {
          signed = Buffer.from(JSON.stringify(JSON.parse(raw.toString("utf8"))));
        } catch {
          return answer(400, { error: "invalid JSON" });
        }
      }
      const v = verifyHmac({ secret: this.options.hmacSecret, body: signed, headers: req.headers, nowMs: now, toleranceSeconds: 300, nonceCache: this.nonces });
      const refuse = this.faults.strictFreshness ? !v.ok : !v.signatureValid;
      if (refuse && this.faults.signatureFailure500) throw new Error("signature mismatch");
      if (refuse) return answer(401, { error: "bad signature", problems: v.problems.map((p) => p.code) });
    }

    // 3. Parse.
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    } catch (err) {
      if (this.faults.badJson500) throw err;
      if (this.faults.badJson200) return answer(200, { ok: true });
      return answer(400, { error: "body is not JSON" });
    }
    if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return answer(400, { error: "expected a JSON object" });
    const type = String(payload.type);
    const f = family(type);

    if (this.faults.hang?.types.includes(type)) return { status: 0, body: null };
    if (this.faults.slow?.types.includes(type)) await this.sleep(this.faults.slow.ms);

    // 4. Route on type; unknown types are logged and acknowledged.
    if (f === null) {
      if (this.faults.unknownType500) throw new Error(`unhandled callback type ${type}`);
      if (this.faults.unknownType400) return answer(400, { error: `unsupported type ${type}` });
      return answer(200, { ok: true, ignored: type });
    }
    if (this.faults.strictFields400) {
      const unknown = Object.keys(payload).filter((k) => !KNOWN_FIELDS[f]!.includes(k));
      if (unknown.length > 0) return answer(400, { error: `unknown fields: ${unknown.join(", ")}` });
    }

    // 5. Idempotent store.
    const key = keyOf(payload);
    if (this.faults.duplicateRace) {
      if (this.stored.has(key)) return answer(200, { ok: true, duplicate: true });
      await this.sleep(RACE_INSERT_MS);
      if (this.stored.has(key)) throw new Error(`duplicate key value violates unique constraint (${key})`);
      this.stored.add(key);
    } else if (this.stored.has(key)) {
      if (this.faults.duplicate500) throw new Error(`duplicate key value violates unique constraint (${key})`);
      return answer(200, { ok: true, duplicate: true });
    } else {
      this.stored.add(key);
    }

    // 6. Per-recipient state: a final status is never overwritten by a late intermediate one.
    if (f === "rdr") {
      const who = `${String(payload.batch_id)}:${String(payload.recipient)}`;
      const status = String(payload.status);
      if (INTERMEDIATE.has(status)) {
        if (this.finalStatus.has(who) && this.faults.outOfOrder500) throw new Error(`invalid transition ${this.finalStatus.get(who)} → ${status}`);
      } else {
        this.finalStatus.set(who, status);
      }
    }
    return answer(200, { ok: true });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get callbackUrl(): string {
    return `${this.url}/sinch`;
  }

  get tokenUrl(): string {
    return `${this.url}${TOKEN_PATH}`;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function typeOf(raw: Buffer): string | null {
  try {
    const v = JSON.parse(raw.toString("utf8")) as { type?: unknown };
    return typeof v.type === "string" ? v.type : null;
  } catch {
    return null;
  }
}
