/**
 * Before any check runs: can a connection to the target be opened at all? Without this, an app that is
 * not running would produce nine failed checks and a wall of "connection refused" instead of the one
 * line that matters (exit 3). Only a TCP connection is opened — no request, so nothing reaches the app.
 */
import { connect } from "node:net";
import { NetworkError } from "../errors.js";
import { classifyNetworkError } from "../send/http.js";

/** The target as it may be printed: no user-info, and no query (either could carry a credential). */
export function displayTarget(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? "?…" : ""}`;
}

function defaultPort(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

export async function assertReachable(target: URL, timeoutMs: number): Promise<void> {
  // URL keeps IPv6 literals in brackets; net.connect wants them bare.
  const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = defaultPort(target);
  try {
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error("connect timeout"), { code: "ETIMEDOUT" }));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.destroy();
        resolve();
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  } catch (err) {
    const failure = classifyNetworkError(err);
    const where = displayTarget(target);
    const hint =
      failure.kind === "refused"
        ? `is your app running and listening on port ${port}? Start it, or point --to at the right URL`
        : failure.kind === "dns"
          ? "check the host name in --to (or SINCH_HOOKS_TARGET)"
          : failure.kind === "timeout"
            ? `nothing accepted a connection within ${timeoutMs} ms: a wrong host, a firewall, or an app that is stuck`
            : "check --to and that the app is up";
    throw new NetworkError(`cannot reach ${where}: ${failure.message}`, { code: "SH_CHECK_UNREACHABLE", hint, cause: err });
  }
}
