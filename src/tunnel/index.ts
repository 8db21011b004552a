/**
 * Public tunnel for `sinch-hooks listen`: one entry point, openTunnel(), used by the listener after its
 * server is up (tunnels.md §5.4: local server first, then the tunnel). Signal handling stays in the CLI.
 */
import { UsageError } from "../errors.js";
import { chooseProvider } from "./choose-provider.js";
import { fallbackNotice, localOnlyNotice, manualHandle, noTunnelAvailable, publicUrlMissing } from "./local.js";
import { ngrokProvider } from "./ngrok.js";
import { agentHandle, defaultAgentApis, describeAgentTunnels, fetchJsonHttp, findAgentMatch, ngrokAgentProvider, probeAgents, PROBE_TIMEOUT_MS, type AgentProbe } from "./ngrok-agent.js";
import { findNgrokToken, type FoundToken } from "./token.js";
import { TunnelError, type FetchJson, type NgrokSdkLike, type StartOptions, type TunnelChoice, type TunnelHandle, type TunnelStatusEvent } from "./types.js";

export type { TunnelChoice, TunnelHandle, TunnelStatusEvent, NgrokSdkLike, FetchJson };
export { TunnelError, isTunnelError, type TunnelErrorKind, type TunnelProviderName } from "./types.js";
export { mapNgrokError } from "./errors.js";
export { chooseProvider } from "./choose-provider.js";
export { findNgrokToken } from "./token.js";

export interface OpenTunnelOptions {
  choice: TunnelChoice;
  localPort: number;
  /** Interface the listener is bound to, e.g. "127.0.0.1"; wildcards become 127.0.0.1 for the tunnel. */
  localHost: string;
  /** --public-url (manual). */
  publicUrl?: string;
  /** --ngrok-authtoken or NGROK_AUTHTOKEN, already resolved by the CLI. */
  ngrokAuthtoken?: string;
  ngrokDomain?: string;
  /** --ngrok-api base, e.g. http://127.0.0.1:4040; default: probe 127.0.0.1:4040-4045. */
  ngrokApi?: string;
  /** Hidden flag for tests: the SDK's server_addr (tunnels.md §1.6). */
  ngrokServerAddr?: string;
  timeoutMs: number;
  requireTunnel: boolean;
  env: Record<string, string | undefined>;
  /** For finding the ngrok agent's config file (token); default os.homedir(). */
  homeDir?: string;
  onStatus?: (event: TunnelStatusEvent) => void;
}

export interface TunnelDeps {
  /** Default: lazy `await import("@ngrok/ngrok")`; an import failure → TunnelError UNAVAILABLE. */
  loadSdk?: () => Promise<NgrokSdkLike>;
  /** Default: node:http GET (no dependency). */
  fetchJson?: FetchJson;
  readFile?: (path: string) => Promise<string>;
}

export interface TunnelOutcome {
  /** null = local only. */
  handle: TunnelHandle | null;
  /**
   * Plain message for the user when local-only: how to get a public URL, or, after a failure in auto
   * mode, the error's message and hint and that the listener carries on. Print it as is.
   */
  notice?: string;
  /** Set when a tunnel was attempted in auto mode and failed, and we carry on local-only. */
  error?: TunnelError;
}

/**
 * Opens the public tunnel per tunnels.md §5.3:
 * - `--public-url` → manual; an explicit `--tunnel X` is used as is and its failure rejects;
 * - auto: a running agent forwarding to localPort, else the SDK when a token is found, else local only;
 *   an SDK failure in auto mode resolves local-only with `error` and `notice`;
 * - `requireTunnel` turns every failure (and "nothing to open") into a rejection (the CLI exits 3).
 * Flag misuse rejects with a UsageError (exit 2).
 */
export async function openTunnel(opts: OpenTunnelOptions, deps: TunnelDeps = {}): Promise<TunnelOutcome> {
  const { choice, localPort, localHost } = opts;
  const publicUrl = opts.publicUrl?.trim() || undefined;

  if (publicUrl && (choice === "ngrok" || choice === "ngrok-agent")) {
    throw new UsageError(
      `--public-url cannot be combined with --tunnel ${choice}`,
      "Pass --public-url alone to use a tunnel you run yourself, or leave it out to let sinch-hooks open one.",
      "SH_USAGE_TUNNEL_CONFLICT",
    );
  }
  if (choice === "manual" && !publicUrl) throw publicUrlMissing();
  if (choice === "none" && !publicUrl && opts.requireTunnel) {
    throw new UsageError("--require-tunnel cannot be combined with --tunnel none", "Drop one of them.", "SH_USAGE_TUNNEL_CONFLICT");
  }

  const fetchJson = deps.fetchJson ?? fetchJsonHttp;
  const start: StartOptions = { localPort, localHost, timeoutMs: opts.timeoutMs, onStatus: opts.onStatus };

  // §5.3 rule 2: only auto mode probes; it costs at most PROBE_TIMEOUT_MS since all ports go in parallel.
  let probes: AgentProbe[] = [];
  let match: ReturnType<typeof findAgentMatch>;
  if (!publicUrl && choice === "auto") {
    probes = await probeAgents(opts.ngrokApi ? [opts.ngrokApi] : defaultAgentApis(), PROBE_TIMEOUT_MS, fetchJson);
    match = findAgentMatch(probes, localPort);
  }

  let token: FoundToken | null = null;
  if (!publicUrl && (choice === "ngrok" || (choice === "auto" && !match))) {
    token = await findNgrokToken({ flag: opts.ngrokAuthtoken, env: opts.env, homeDir: opts.homeDir, readFile: deps.readFile });
  }

  const provider = chooseProvider({ choice, publicUrl, agentMatch: match !== undefined, token: token !== null });
  try {
    switch (provider) {
      case "manual":
        return { handle: manualHandle(publicUrl) };
      case "ngrok-agent":
        if (match) return { handle: agentHandle(match.tunnel) };
        return { handle: await ngrokAgentProvider({ apiBase: opts.ngrokApi, fetchJson }).start(start) };
      case "ngrok": {
        const sdk = ngrokProvider({
          token: token?.token,
          tokenSource: token?.source,
          tokenPath: token?.path,
          domain: opts.ngrokDomain,
          serverAddr: opts.ngrokServerAddr,
          loadSdk: deps.loadSdk,
        });
        return { handle: await sdk.start(start) };
      }
      case "none": {
        const agentNote = describeAgentTunnels(probes);
        if (opts.requireTunnel) throw noTunnelAvailable(localPort, agentNote);
        return { handle: null, notice: localOnlyNotice(localHost, localPort, agentNote) };
      }
    }
  } catch (err) {
    // §5.3 rule 1: explicit choices are fatal; rule 3: auto keeps the local listener running.
    if (!(err instanceof TunnelError) || choice !== "auto" || opts.requireTunnel) throw err;
    return { handle: null, error: err, notice: fallbackNotice(err, localHost, localPort) };
  }
}
