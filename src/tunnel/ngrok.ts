/**
 * The `ngrok` provider: opens a tunnel in-process with the @ngrok/ngrok SDK (tunnels.md §1, §5.2 item 1).
 *
 * Rules from tunnels.md this file follows:
 * - lazy import, an import failure becomes UNAVAILABLE (§1.1: the package throws at load time when the
 *   platform binary is missing);
 * - refuse early without a token (§1.4: the SDK would dial unauthenticated and fail with ERR_NGROK_4018);
 * - `addr: "127.0.0.1:PORT"`, never a bare port (§1.8), and `force_new_session` (§1.2 singleton);
 * - an outer timeout around forward(), and no disconnect() after it fires (§1.5 hang-forever risk, §5.4);
 * - close = listener.close() then disconnect(), capped at 3 s (§5.4).
 */
import { mapNgrokError, NGROK_TOKEN_URL, type TokenSource } from "./errors.js";
import { TunnelError, type NgrokForwardConfig, type NgrokListenerLike, type NgrokSdkLike, type StartOptions, type TunnelHandle, type TunnelProvider } from "./types.js";
import { attempt, bounded, formatMs, hostPort, noop, stripTrailingSlash } from "./util.js";

export const CLOSE_TIMEOUT_MS = 3000;

export interface NgrokProviderConfig {
  /** Already resolved (see token.ts); undefined → AUTH_MISSING before anything is dialled. */
  token: string | undefined;
  tokenSource?: TokenSource;
  tokenPath?: string;
  domain?: string;
  /** Tests only (hidden CLI flag): where the SDK connects instead of ngrok's cloud (§1.6). */
  serverAddr?: string;
  loadSdk?: () => Promise<NgrokSdkLike>;
}

/**
 * SDK instances that have a forward() which timed out and may never settle. Their disconnect() would
 * block behind it (§1.5), so close() skips it for them.
 */
const hungSdks = new WeakSet<NgrokSdkLike>();

let realSdk: Promise<NgrokSdkLike> | undefined;

/** The real SDK, imported on first use and cached. Rejects with TunnelError UNAVAILABLE. */
export function loadNgrokSdk(): Promise<NgrokSdkLike> {
  realSdk ??= importRealSdk().catch((err: unknown) => {
    realSdk = undefined; // do not cache failures
    throw err;
  });
  return realSdk;
}

async function importRealSdk(): Promise<NgrokSdkLike> {
  type Raw = { forward?: (cfg: object) => Promise<NgrokListenerLike>; disconnect?: (url?: string) => Promise<void> };
  let mod: Raw & { default?: Raw };
  try {
    mod = (await import("@ngrok/ngrok")) as unknown as Raw & { default?: Raw };
  } catch (err) {
    throw unavailable(err);
  }
  // CommonJS package: the ESM namespace has both `default` and (usually) named exports (§1.1).
  const raw = typeof mod.forward === "function" ? mod : mod.default;
  const forward = raw?.forward;
  const disconnect = raw?.disconnect;
  if (typeof forward !== "function" || typeof disconnect !== "function") {
    throw unavailable(new Error("@ngrok/ngrok does not export forward() and disconnect()"));
  }
  return {
    // The SDK mutates its config (it replaces callbacks with flags), so hand it a copy.
    forward: (cfg) => forward({ ...cfg }),
    disconnect: (url) => disconnect(url),
  };
}

function unavailable(err: unknown, localPort?: number): TunnelError {
  if (err instanceof TunnelError) {
    // Rebuild only to write the real port into the hint; other kinds pass through untouched.
    return err.kind === "UNAVAILABLE" && localPort !== undefined ? unavailable(err.cause, localPort) : err;
  }
  const detail = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
  const port = localPort ?? "<port>";
  return new TunnelError("UNAVAILABLE", `the ngrok SDK is not available on this platform (${process.platform}-${process.arch}): ${detail}`, {
    hint: `Reinstall sinch-hooks with optional dependencies (the binary ships as @ngrok/ngrok-<platform>), or run \`ngrok http ${port}\` and use --tunnel ngrok-agent, or pass --public-url.`,
    cause: err,
  });
}

export function authMissingError(localPort?: number): TunnelError {
  const port = localPort ?? "<port>";
  return new TunnelError("AUTH_MISSING", "ngrok needs an auth token", {
    hint: `Get a free one at ${NGROK_TOKEN_URL}, then set NGROK_AUTHTOKEN or pass --ngrok-authtoken. Or run \`ngrok http ${port}\` and use --tunnel ngrok-agent.`,
  });
}

export function ngrokProvider(config: NgrokProviderConfig): TunnelProvider {
  const loadSdk = config.loadSdk ?? loadNgrokSdk;
  return {
    name: "ngrok",
    async start(opts: StartOptions): Promise<TunnelHandle> {
      const token = config.token?.trim();
      if (!token) throw authMissingError(opts.localPort);
      const ctx = { localPort: opts.localPort, domain: config.domain, token, tokenSource: config.tokenSource, tokenPath: config.tokenPath };

      let sdk: NgrokSdkLike;
      try {
        sdk = await loadSdk();
      } catch (err) {
        throw unavailable(err, opts.localPort);
      }

      // onStatusChange reports "connected" for the first connect too; only a "connected" after a
      // "closed" is a reconnect (§1.5). Events after our own close() are not news to the user.
      let closing = false;
      let lost = false;
      const onStatusChange = (status: string): void => {
        if (closing || !opts.onStatus) return;
        try {
          if (status === "closed") {
            lost = true;
            opts.onStatus({ kind: "disconnected", detail: "lost the connection to ngrok; it reconnects by itself, callbacks sent meanwhile are lost" });
          } else if (status === "connected" && lost) {
            lost = false;
            opts.onStatus({ kind: "reconnected" });
          }
        } catch {
          // A throwing callback must not unwind into the native SDK.
        }
      };

      const cfg: NgrokForwardConfig = { addr: hostPort(opts.localHost, opts.localPort), authtoken: token, force_new_session: true, onStatusChange };
      if (config.domain) cfg.domain = config.domain;
      if (config.serverAddr) cfg.server_addr = config.serverAddr;

      const pending = attempt(() => sdk.forward(cfg));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = Symbol("timeout");
      const deadline = new Promise<typeof timedOut>((resolve) => {
        timer = setTimeout(() => resolve(timedOut), opts.timeoutMs);
      });
      let listener: NgrokListenerLike;
      try {
        const first = await Promise.race([pending, deadline]);
        if (first === timedOut) {
          // §1.5/§5.4: the connect may never settle. Do not wait for it, do not disconnect (it would block
          // behind it); if it does succeed later, close that stray tunnel in the background.
          hungSdks.add(sdk);
          closing = true;
          pending.then((late) => attempt(() => late.close()).catch(noop), noop);
          throw new TunnelError("TIMEOUT", `ngrok did not answer within ${formatMs(opts.timeoutMs)}`, {
            hint: "Something accepted the connection but never answered (a firewall or a captive portal?). Check your network, raise --tunnel-timeout, or use --tunnel none.",
          });
        }
        listener = first;
      } catch (err) {
        if (err instanceof TunnelError) throw err;
        throw mapNgrokError(err, ctx);
      } finally {
        clearTimeout(timer);
      }

      let url: string | null;
      try {
        url = listener.url();
      } catch {
        url = null;
      }
      if (!url) {
        closing = true;
        void attempt(() => listener.close()).catch(noop);
        throw new TunnelError("UNKNOWN", "ngrok opened a tunnel but reported no public URL", { hint: "Retry; if it persists, use --tunnel ngrok-agent or --public-url." });
      }

      let closed: Promise<void> | undefined;
      return {
        provider: "ngrok",
        publicUrl: stripTrailingSlash(url),
        ownsTunnel: true,
        close(): Promise<void> {
          closed ??= (async () => {
            closing = true;
            // One budget for both steps; never rejects (shutdown path, §5.4).
            await bounded(
              (async () => {
                await attempt(() => listener.close()).catch(noop);
                if (!hungSdks.has(sdk)) await attempt(() => sdk.disconnect()).catch(noop);
              })(),
              CLOSE_TIMEOUT_MS,
            );
          })();
          return closed;
        },
      };
    },
  };
}
