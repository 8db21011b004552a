/** Small helpers shared by the tunnel providers. */

/** Wildcard binds accept loopback connections; give the tunnel a concrete loopback address (tunnels.md §1.8). */
export function connectHost(host: string | undefined): string {
  const h = (host ?? "").trim().replace(/^\[(.*)\]$/, "$1");
  if (h === "" || h === "0.0.0.0" || h === "::") return "127.0.0.1";
  return h;
}

/** "host:port" with IPv6 literals bracketed, as the SDK's `addr` and URLs want it. */
export function hostPort(host: string | undefined, port: number): string {
  const h = connectHost(host);
  return h.includes(":") ? `[${h}]:${port}` : `${h}:${port}`;
}

export function localUrl(host: string | undefined, port: number): string {
  return `http://${hostPort(host, port)}`;
}

export function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** "15 s", "200 ms": for messages. */
export function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

/**
 * Waits for `work` at most `ms`, then gives up without cancelling it (§5.4: shutdown must not block
 * on a provider). The timer is unref'd and cleared so it never keeps the process alive.
 */
export async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([work.then(noop, noop), limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `fn`, turning a synchronous throw into a rejection so callers handle both alike. */
export function attempt<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

export function noop(): void {}
