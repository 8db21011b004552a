/**
 * The `ngrok-agent` provider: attach to a tunnel the user already runs with `ngrok http <port>`, through
 * the agent's local API (tunnels.md §3). We never start or stop the agent's tunnels: ownsTunnel is false
 * and close() does nothing (§5.2 item 2). Attaching also avoids ERR_NGROK_108 (one agent session per
 * free account) that a second, SDK-made session would hit (§1.5).
 */
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { TunnelError, type FetchJson, type StartOptions, type TunnelHandle, type TunnelProvider } from "./types.js";
import { formatMs, stripTrailingSlash } from "./util.js";

/** §3: the API moves to 4041, 4042, … when 4040 is taken, so probe a small range. */
export const DEFAULT_AGENT_PORTS = [4040, 4041, 4042, 4043, 4044, 4045] as const;
/** §5.3 rule 2: a local API answers in well under this; keeps `listen` start-up snappy in auto mode. */
export const PROBE_TIMEOUT_MS = 200;
const MAX_BODY_BYTES = 1024 * 1024;

export function defaultAgentApis(): string[] {
  return DEFAULT_AGENT_PORTS.map((p) => `http://127.0.0.1:${p}`);
}

export interface AgentTunnel {
  name: string | undefined;
  publicUrl: string;
  proto: string | undefined;
  /** config.addr as the agent reports it, e.g. "http://localhost:8001" (v3) or "localhost:80" (v2). */
  addr: string;
  /** Port parsed from addr; undefined when addr is not host:port-like (file://, unix sockets). */
  port: number | undefined;
}

/** Port of an agent `config.addr`: parse as a URL, prefixing http:// when there is no scheme (§3.1). */
export function addrPort(addr: string): number | undefined {
  const a = addr.trim();
  if (/^\d{1,5}$/.test(a)) return Number(a); // `ngrok http 8080` style bare port
  let url: URL;
  try {
    url = new URL(a.includes("://") ? a : `http://${a}`);
  } catch {
    return undefined;
  }
  if (url.port) return Number(url.port);
  if (url.protocol === "http:") return 80;
  if (url.protocol === "https:") return 443;
  return undefined;
}

/** The tunnels in a GET /api/tunnels body (v2 pair or v3 single, §3.1); null when the shape is unexpected. */
export function parseAgentTunnels(body: unknown): AgentTunnel[] | null {
  if (typeof body !== "object" || body === null) return null;
  const list = (body as { tunnels?: unknown }).tunnels;
  if (!Array.isArray(list)) return null;
  const out: AgentTunnel[] = [];
  for (const t of list) {
    if (typeof t !== "object" || t === null) continue;
    const rec = t as { name?: unknown; public_url?: unknown; proto?: unknown; config?: { addr?: unknown } };
    if (typeof rec.public_url !== "string") continue;
    const addr = typeof rec.config?.addr === "string" ? rec.config.addr : typeof rec.config?.addr === "number" ? String(rec.config.addr) : "";
    out.push({
      name: typeof rec.name === "string" ? rec.name : undefined,
      publicUrl: rec.public_url,
      proto: typeof rec.proto === "string" ? rec.proto : undefined,
      addr,
      port: addr ? addrPort(addr) : undefined,
    });
  }
  return out;
}

function isWebUrl(t: AgentTunnel): boolean {
  return /^https?:\/\//i.test(t.publicUrl);
}

function isHttps(t: AgentTunnel): boolean {
  return t.proto === "https" || /^https:\/\//i.test(t.publicUrl);
}

/** The tunnel forwarding to localPort; HTTPS preferred over the v2 agent's plain-HTTP twin (§3.1). */
export function pickAgentTunnel(tunnels: readonly AgentTunnel[], localPort: number): AgentTunnel | undefined {
  const candidates = tunnels.filter((t) => t.port === localPort && isWebUrl(t));
  return candidates.find(isHttps) ?? candidates[0];
}

export type AgentProbe = { api: string; ok: true; tunnels: AgentTunnel[] } | { api: string; ok: false; error: TunnelError };

const NOT_RUNNING_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EADDRNOTAVAIL", "EAI_AGAIN"]);

function errCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function snippet(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}

/** GET <api>/api/tunnels once, classified; never rejects. */
export async function queryAgent(api: string, timeoutMs: number, fetchJson: FetchJson = fetchJsonHttp): Promise<AgentProbe> {
  const base = stripTrailingSlash(api);
  const url = `${base}/api/tunnels`;
  let res: { status: number; body: unknown };
  try {
    res = await fetchJson(url, timeoutMs);
  } catch (err) {
    const code = errCode(err);
    const detail = err instanceof Error ? err.message : String(err);
    if (code && NOT_RUNNING_CODES.has(code)) {
      return { api: base, ok: false, error: new TunnelError("AGENT_NOT_RUNNING", `no ngrok agent answered at ${base} (${code})`, { cause: err }) };
    }
    if (code === "ETIMEDOUT") {
      return { api: base, ok: false, error: new TunnelError("TIMEOUT", `the ngrok agent API at ${base} did not answer within ${formatMs(timeoutMs)}`, { cause: err }) };
    }
    if (code === INVALID_JSON || err instanceof SyntaxError) {
      return { api: base, ok: false, error: new TunnelError("UNKNOWN", `the ngrok agent API at ${base} sent invalid JSON (${detail})`, { cause: err }) };
    }
    return { api: base, ok: false, error: new TunnelError("UNKNOWN", `could not read the ngrok agent API at ${base}: ${detail}`, { cause: err }) };
  }
  if (res.status !== 200) {
    const body = res.body === undefined || res.body === "" ? "" : `: ${snippet(res.body)}`;
    return { api: base, ok: false, error: new TunnelError("UNKNOWN", `the ngrok agent API at ${base} answered HTTP ${res.status}${body}`) };
  }
  const tunnels = parseAgentTunnels(res.body);
  if (!tunnels) {
    return { api: base, ok: false, error: new TunnelError("UNKNOWN", `the ngrok agent API at ${base} sent an unexpected answer (no "tunnels" list): ${snippet(res.body)}`) };
  }
  return { api: base, ok: true, tunnels };
}

/** All APIs at once, each with its own short timeout (§5.3 rule 2), results in input order. */
export function probeAgents(apis: readonly string[], timeoutMs: number, fetchJson: FetchJson = fetchJsonHttp): Promise<AgentProbe[]> {
  return Promise.all(apis.map((api) => queryAgent(api, timeoutMs, fetchJson)));
}

export function findAgentMatch(probes: readonly AgentProbe[], localPort: number): { api: string; tunnel: AgentTunnel } | undefined {
  for (const p of probes) {
    if (!p.ok) continue;
    const tunnel = pickAgentTunnel(p.tunnels, localPort);
    if (tunnel) return { api: p.api, tunnel };
  }
  return undefined;
}

function describeTarget(t: AgentTunnel): string {
  const where = t.port !== undefined ? `:${t.port}` : t.addr || "an unknown address";
  return isWebUrl(t) ? where : `${where} (${t.proto ?? "non-HTTP"} tunnel)`;
}

/** "the ngrok agent forwards to :8080 and :3000" for what the reachable agents run; undefined when none answered. */
export function describeAgentTunnels(probes: readonly AgentProbe[]): string | undefined {
  const answered = probes.filter((p): p is Extract<AgentProbe, { ok: true }> => p.ok);
  if (answered.length === 0) return undefined;
  const targets = [...new Set(answered.flatMap((p) => p.tunnels.map(describeTarget)))];
  if (targets.length === 0) return `the ngrok agent at ${answered.map((p) => p.api).join(", ")} has no tunnels`;
  const list = targets.length === 1 ? targets[0] : `${targets.slice(0, -1).join(", ")} and ${targets.at(-1)}`;
  return `the ngrok agent forwards to ${list}`;
}

function apiLabel(apis: readonly string[]): string {
  const d = defaultAgentApis();
  if (apis.length === d.length && apis.every((a, i) => stripTrailingSlash(a) === d[i])) return `http://127.0.0.1:${DEFAULT_AGENT_PORTS[0]}-${DEFAULT_AGENT_PORTS.at(-1)}`;
  return apis.map(stripTrailingSlash).join(", ");
}

/** Why attaching failed, most useful explanation first: wrong port, then a broken API, then nothing running (§3.1). */
export function agentFailure(probes: readonly AgentProbe[], apis: readonly string[], localPort: number): TunnelError {
  const running = describeAgentTunnels(probes);
  if (running) {
    return new TunnelError("NO_MATCHING_TUNNEL", `${running}, but sinch-hooks listens on :${localPort}`, {
      hint: `Run \`ngrok http ${localPort}\` in another terminal and start sinch-hooks again, or pass --port to match the agent.`,
    });
  }
  const broken = probes.find((p): p is Extract<AgentProbe, { ok: false }> => !p.ok && p.error.kind !== "AGENT_NOT_RUNNING");
  if (broken) {
    return new TunnelError(broken.error.kind, broken.error.message, {
      hint: "Is that the ngrok agent's web interface? Pass its address with --ngrok-api, or use --tunnel ngrok or --public-url.",
      cause: broken.error.cause,
    });
  }
  return new TunnelError("AGENT_NOT_RUNNING", `no ngrok agent is running (nothing answered at ${apiLabel(apis)})`, {
    hint: `Start one with \`ngrok http ${localPort}\` in another terminal, or pass --ngrok-api if its web interface listens elsewhere.`,
  });
}

export function agentHandle(tunnel: AgentTunnel): TunnelHandle {
  return {
    provider: "ngrok-agent",
    publicUrl: stripTrailingSlash(tunnel.publicUrl),
    ownsTunnel: false,
    // The user's agent owns the tunnel; stopping sinch-hooks must leave it running (§5.1).
    close: () => Promise.resolve(),
  };
}

export interface NgrokAgentProviderConfig {
  /** --ngrok-api, e.g. http://127.0.0.1:4040; default: probe 4040-4045. */
  apiBase?: string;
  fetchJson?: FetchJson;
  /** Per-request timeout; default min(start timeout, 1 s) since an explicit choice may wait a little longer than a probe. */
  requestTimeoutMs?: number;
}

export function ngrokAgentProvider(config: NgrokAgentProviderConfig = {}): TunnelProvider {
  return {
    name: "ngrok-agent",
    async start(opts: StartOptions): Promise<TunnelHandle> {
      const apis = config.apiBase ? [config.apiBase] : defaultAgentApis();
      const probes = await probeAgents(apis, config.requestTimeoutMs ?? Math.min(opts.timeoutMs, 1000), config.fetchJson);
      const match = findAgentMatch(probes, opts.localPort);
      if (match) return agentHandle(match.tunnel);
      throw agentFailure(probes, apis, opts.localPort);
    },
  };
}

const INVALID_JSON = "SH_INVALID_JSON";

/**
 * Dependency-free GET returning parsed JSON. Rejects with the socket error (code ECONNREFUSED, …),
 * code ETIMEDOUT after timeoutMs, or code SH_INVALID_JSON for a 2xx body that is not JSON.
 * Non-2xx bodies that are not JSON come back as text, for error details.
 */
export const fetchJsonHttp: FetchJson = (url, timeoutMs) =>
  new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (err) {
      reject(err);
      return;
    }
    const get = target.protocol === "https:" ? httpsGet : httpGet;
    // agent:false → no keep-alive socket left behind to hold the process open.
    const req = get(target, { agent: false, headers: { accept: "application/json" } }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) req.destroy(Object.assign(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`), { code: "SH_TOO_LARGE" }));
        else chunks.push(c);
      });
      res.on("error", reject);
      res.on("end", () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString("utf8");
        const status = res.statusCode ?? 0;
        try {
          resolve({ status, body: text === "" ? undefined : (JSON.parse(text) as unknown) });
        } catch {
          if (status >= 200 && status < 300) reject(Object.assign(new Error(`not JSON: ${snippet(text)}`), { code: INVALID_JSON }));
          else resolve({ status, body: text });
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error(`no answer within ${formatMs(timeoutMs)}`), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
