/**
 * The inspector's HTTP server: a separate node:http server on 127.0.0.1 only (never the public
 * listener, never through the tunnel), serving the static page from inspector/, a small JSON API, and a
 * server-sent-event stream. Every request passes the Host guard first (guard.ts).
 *
 *   GET  /                          the page (inspector/index.html, .css, .js)
 *   GET  /api/state                 snapshot: info, response mode, callback summaries (oldest first)
 *   GET  /api/events                SSE: snapshot, then callback / evict / replay / respond / info
 *   GET  /api/callbacks/:id         one delivery in detail
 *   GET  /api/callbacks/:id/curl    a curl command (credentials masked)
 *   GET  /api/callbacks/:id/fixture the recording `listen --record` would write (download)
 *   POST /api/callbacks/:id/replay  re-send the raw bytes and headers to the --forward-to app
 *   POST /api/respond {"mode"}      live response mode: configured | 200 | 503 | 429
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SinchHooksError } from "../errors.js";
import type { ForwardResult } from "../listen/forward.js";
import type { ListenEvent } from "../listen/index.js";
import type { RespondPlan } from "../listen/respond.js";
import { checkFetchSite, checkHost, checkOrigin } from "./guard.js";
import { createHistory, type CallbackEvent, type History } from "./history.js";
import { createSseHub, type SseHub } from "./sse.js";
import { curlCommand, detail, fixtureOf, replayView, summarize, type ViewOptions } from "./views.js";

/** Next to the listener's 7462; clear of 3000, 8080 and ngrok's 4040. */
export const DEFAULT_INSPECT_PORT = 7463;
export const DEFAULT_INSPECT_HISTORY = 500;
/** Bodies can be up to --max-body each; this caps what 500 of them may hold. */
export const DEFAULT_INSPECT_BODY_BYTES = 64 * 1024 * 1024;

export type RespondMode = "configured" | "200" | "503" | "429";
export const RESPOND_MODES: readonly RespondMode[] = ["configured", "200", "503", "429"];

export interface RespondState {
  mode: RespondMode;
  /** The plan now in force (null: 200, or the app's status with --forward-to). */
  active: number[] | null;
  /** What listen was started with (--respond), restored by "configured". */
  configured: number[] | null;
}

export interface InspectorOptions {
  /** An explicit --inspect-port (0: any free port). A busy explicit port is an error. */
  port?: number;
  /** Used when `port` is not given; when it is busy, a free port is used instead and `fellBackFrom` says so. */
  defaultPort?: number;
  historySize?: number;
  historyBodyBytes?: number;
  redact: boolean;
  toolVersion?: string;
  listenerUrl: string;
  forwardTo?: URL;
  /** Re-sends one callback to the forward target; absent when listen has no --forward-to. */
  replay?: (e: CallbackEvent) => Promise<ForwardResult>;
  respond: { configured?: RespondPlan; set(plan: RespondPlan | undefined): void };
  onRespondChange?: (state: RespondState) => void;
  /** Where the page's files live; default: the package's inspector/ folder. */
  assetsDir?: URL;
}

export interface Inspector {
  url: string;
  port: number;
  /** Set when the default port was busy and a free one was taken instead. */
  fellBackFrom?: number;
  history: History;
  ingest(e: ListenEvent): void;
  setPublicUrl(url: string | null): void;
  readonly respondState: RespondState;
  close(): Promise<void>;
}

const ASSETS: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/inspector.css": { file: "inspector.css", type: "text/css; charset=utf-8" },
  "/inspector.js": { file: "inspector.js", type: "text/javascript; charset=utf-8" },
};

// Same-origin files only, no inline script or style: a payload that slipped into the DOM as markup still
// could not run. frame-ancestors/X-Frame-Options stop clickjacking of the replay and mode buttons.
const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
};

const MAX_POST_BYTES = 16 * 1024;
const MAX_REPLAYS_IN_FLIGHT = 8;

function loadAssets(dir: URL): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const { file } of Object.values(ASSETS)) {
    if (files.has(file)) continue;
    try {
      files.set(file, readFileSync(new URL(file, dir)));
    } catch (err) {
      throw new SinchHooksError("SH_INSPECT_ASSETS", "internal", `the inspector page is missing from this installation (${file}: ${(err as Error).message})`, {
        hint: "reinstall sinch-hooks, or run listen with --no-inspect",
      });
    }
  }
  return files;
}

function planFor(mode: RespondMode, configured: RespondPlan | undefined): RespondPlan | undefined {
  return mode === "configured" ? configured : { statuses: [Number(mode)] };
}

function listenOn(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off("listening", onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, "127.0.0.1");
  });
}

function portError(err: NodeJS.ErrnoException, port: number): SinchHooksError {
  if (err.code === "EADDRINUSE") {
    return new SinchHooksError("SH_INSPECT_PORT_IN_USE", "usage", `inspector port ${port} on 127.0.0.1 is already in use`, {
      hint: `pick another with --inspect-port ${port + 1} (or 0 for any free port), or turn the inspector off with --no-inspect`,
    });
  }
  if (err.code === "EACCES") {
    return new SinchHooksError("SH_INSPECT_PORT_DENIED", "usage", `not allowed to listen on inspector port ${port}`, { hint: "ports below 1024 need privileges; use a higher --inspect-port" });
  }
  return new SinchHooksError("SH_INSPECT_LISTEN_FAILED", "usage", `cannot start the inspector on 127.0.0.1:${port}: ${err.message}`);
}

export async function startInspector(opts: InspectorOptions): Promise<Inspector> {
  const assets = loadAssets(opts.assetsDir ?? new URL("../../inspector/", import.meta.url));
  const history = createHistory({ maxEntries: opts.historySize ?? DEFAULT_INSPECT_HISTORY, maxBodyBytes: opts.historyBodyBytes ?? DEFAULT_INSPECT_BODY_BYTES });
  const sse: SseHub = createSseHub();
  const view: ViewOptions = { redact: opts.redact, toolVersion: opts.toolVersion };
  const configured = opts.respond.configured;
  let respondState: RespondState = { mode: "configured", active: configured ? [...configured.statuses] : null, configured: configured ? [...configured.statuses] : null };
  let publicUrl: string | null = null;
  let replaysInFlight = 0;
  let port = 0;
  let fellBackFrom: number | undefined;

  const info = (): Record<string, unknown> => ({
    version: opts.toolVersion ?? null,
    listenerUrl: opts.listenerUrl,
    publicUrl,
    forwardTo: opts.forwardTo?.toString() ?? null,
    canReplay: opts.replay !== undefined,
    redact: opts.redact,
    history: { max: history.options.maxEntries, size: history.size },
  });
  const snapshot = (): Record<string, unknown> => ({ info: info(), respond: respondState, callbacks: history.all().map((e) => summarize(e, view)) });

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024 }, (req, res) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const host = checkHost(req.headers.host, port);
    if (!host.ok) {
      // Plain words, no echo of the offending value: this answer may be read by the very page we refuse.
      return sendText(res, 403, `Forbidden: the sinch-hooks inspector only answers requests addressed to 127.0.0.1:${port}, localhost:${port} or [::1]:${port} (${host.reason}; DNS-rebinding guard).\n`);
    }
    handle(req, res).catch((err: unknown) => {
      sendJson(res, 500, { error: "internal_error", message: err instanceof Error ? err.message : String(err) });
    });
  });
  // The page opens one SSE stream plus a few fetches; this bounds sockets if something misbehaves.
  server.maxConnections = 64;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0] ?? "/";

    const asset = ASSETS[path];
    if (asset) {
      if (method !== "GET" && method !== "HEAD") return methodNotAllowed(res, "GET");
      const body = assets.get(asset.file)!;
      res.writeHead(200, { "content-type": asset.type, "content-length": body.length });
      res.end(method === "HEAD" ? undefined : body);
      return;
    }
    if (path === "/api/state") {
      if (method !== "GET") return methodNotAllowed(res, "GET");
      return sendJson(res, 200, snapshot());
    }
    if (path === "/api/events") {
      if (method !== "GET") return methodNotAllowed(res, "GET");
      if (!sse.add(res, { event: "snapshot", data: snapshot() })) sendJson(res, 503, { error: "too_many_streams", message: "too many inspector pages are open; close some" });
      return;
    }
    if (path === "/api/respond") {
      if (method !== "POST") return methodNotAllowed(res, "POST");
      const body = await readJsonPost(req, res);
      if (body === undefined) return;
      const mode = (body as { mode?: unknown } | null)?.mode;
      if (typeof mode !== "string" || !(RESPOND_MODES as readonly string[]).includes(mode)) {
        return sendJson(res, 400, { error: "bad_mode", message: `mode must be one of ${RESPOND_MODES.join(", ")}` });
      }
      const plan = planFor(mode as RespondMode, configured);
      opts.respond.set(plan);
      respondState = { ...respondState, mode: mode as RespondMode, active: plan ? [...plan.statuses] : null };
      sse.broadcast("respond", respondState);
      opts.onRespondChange?.(respondState);
      return sendJson(res, 200, respondState);
    }

    const m = /^\/api\/callbacks\/(\d{1,15})(\/curl|\/fixture|\/replay)?$/.exec(path);
    if (!m) return sendJson(res, 404, { error: "not_found", message: `no inspector route ${path}` });
    const entry = history.get(Number(m[1]));
    const action = m[2];
    if (action === "/replay") {
      if (method !== "POST") return methodNotAllowed(res, "POST");
      const body = await readJsonPost(req, res);
      if (body === undefined) return;
    } else if (method !== "GET") {
      return methodNotAllowed(res, "GET");
    }
    if (!entry) return sendJson(res, 404, { error: "not_found", message: `callback ${m[1]} is not in the inspector's history (it keeps the last ${history.options.maxEntries})` });

    if (action === undefined) return sendJson(res, 200, detail(entry, history.group(entry.groupId), view));
    if (action === "/curl") return sendText(res, 200, `${curlCommand(entry, { forwardTo: opts.forwardTo, listenerUrl: opts.listenerUrl }, view)}\n`);
    if (action === "/fixture") {
      const { fileName, recording } = fixtureOf(entry, view);
      const text = `${JSON.stringify(recording, null, 2)}\n`;
      res.writeHead(200, {
        "content-type": "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="${fileName}"`,
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    // action === "/replay"
    if (!opts.replay) {
      return sendJson(res, 409, { error: "no_forward_target", message: "replay sends to your app: start listen with --forward-to URL" });
    }
    // Live forwarding skips callbacks that failed authentication, were not JSON or failed --strict;
    // a replay must not deliver what the listener itself kept from the app.
    if (!entry.event.decision.accepted) {
      return sendJson(res, 409, { error: "not_accepted", message: `this callback was answered ${entry.event.status} and never forwarded to your app, so it is not replayed` });
    }
    if (replaysInFlight >= MAX_REPLAYS_IN_FLIGHT) return sendJson(res, 429, { error: "busy", message: "too many replays in flight; wait for them to finish" });
    replaysInFlight++;
    try {
      const result = await opts.replay(entry.event);
      const record = { at: Date.now(), result };
      history.addReplay(entry.id, record);
      const replay = replayView(record);
      sse.broadcast("replay", { id: entry.id, replay });
      return sendJson(res, 200, { id: entry.id, replay });
    } finally {
      replaysInFlight--;
    }
  }

  try {
    if (opts.port !== undefined) {
      await listenOn(server, opts.port).catch((err: NodeJS.ErrnoException) => {
        throw portError(err, opts.port!);
      });
    } else {
      const preferred = opts.defaultPort ?? DEFAULT_INSPECT_PORT;
      await listenOn(server, preferred).catch(async (err: NodeJS.ErrnoException) => {
        // The default is a convenience: a second `listen` on this machine should still get an inspector.
        if (err.code !== "EADDRINUSE") throw portError(err, preferred);
        await listenOn(server, 0).catch((e: NodeJS.ErrnoException) => {
          throw portError(e, 0);
        });
        fellBackFrom = preferred;
      });
    }
  } catch (err) {
    sse.close();
    throw err;
  }
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get fellBackFrom() {
      return fellBackFrom;
    },
    history,
    ingest(e) {
      if (e.event !== "callback") return;
      const { entry, evicted } = history.add(e);
      if (evicted.length > 0) sse.broadcast("evict", { ids: evicted });
      // Building the summary costs more than storing the entry; skip it when no page is listening.
      if (sse.size > 0) sse.broadcast("callback", summarize(entry, view));
    },
    setPublicUrl(url) {
      publicUrl = url;
      sse.broadcast("info", info());
    },
    get respondState() {
      return respondState;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        sse.close();
        server.close(() => resolve());
        server.closeIdleConnections();
        // Replays in flight are bounded by the forward timeout; the page can live without their answer.
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      });
      return closing;
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader("allow", allow);
  sendJson(res, 405, { error: "method_not_allowed", message: `use ${allow}` });
}

/**
 * Reads a small JSON body for a state-changing request, after the cross-site checks. Answers the error
 * itself and resolves undefined when the request is refused.
 */
async function readJsonPost(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const port = req.socket.localPort ?? 0;
  const site = checkFetchSite(firstHeader(req.headers["sec-fetch-site"]));
  const origin = checkOrigin(firstHeader(req.headers.origin), port);
  if (!site.ok || !origin.ok) {
    req.resume();
    sendJson(res, 403, { error: "forbidden", message: `refused: ${site.ok ? (origin as { reason: string }).reason : (site as { reason: string }).reason}` });
    return undefined;
  }
  const type = String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    req.resume();
    sendJson(res, 415, { error: "unsupported_media_type", message: "send a JSON body (content-type: application/json)" });
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_POST_BYTES) {
      sendJson(res, 413, { error: "payload_too_large", limit: MAX_POST_BYTES });
      req.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    sendJson(res, 400, { error: "invalid_json", message: "the request body is not JSON" });
    return undefined;
  }
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
