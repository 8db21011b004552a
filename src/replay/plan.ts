/**
 * What `replay` will send, decided before anything is sent (pure): the loaded callbacks × --repeat,
 * in order, each with its request path and the headers carried over from a recording.
 */
import type { OutgoingCallback } from "../send/inputs.js";
import { requestPath } from "../send/target.js";

export interface PlannedRequest {
  /** 1-based position in the run; requests start in this order. */
  seq: number;
  /** 1-based --repeat round. */
  round: number;
  callback: OutgoingCallback;
  path: string;
  /** For output: the callback's name, with "#round" when --repeat is above 1. */
  label: string;
}

export interface Plan {
  requests: PlannedRequest[];
  /** Whether recordings' paths were used (see planRequests). */
  usesRecordedPaths: boolean;
}

/**
 * Headers from a recording that must not be replayed: hop-by-hop ones (RFC 9110 §7.6.1) and `expect`,
 * which belonged to the original connection (curl sends `Expect: 100-continue` for large bodies) and
 * which undici refuses outright.
 */
const NOT_REPLAYED = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "expect", "content-length", "host"]);

export function replayableHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!NOT_REPLAYED.has(k.toLowerCase())) out[k.toLowerCase()] = v;
  return out;
}

/**
 * The whole run sent `repeat` times over (a, b, a, b), like running the command that many times.
 * A recording's path is appended to the target's path when `appendPath` is set, or when the target
 * has no path of its own: that is what `listen --forward-to` does with a URL without a path, so a
 * recording made there replays to the same place.
 */
export function planRequests(callbacks: readonly OutgoingCallback[], opts: { target: URL; repeat: number; appendPath: boolean }): Plan {
  const append = opts.appendPath || opts.target.pathname === "/" || opts.target.pathname === "";
  const paths = callbacks.map((c) => requestPath(opts.target, c.path, append));
  const requests: PlannedRequest[] = [];
  for (let round = 1; round <= opts.repeat; round++) {
    for (let i = 0; i < callbacks.length; i++) {
      const callback = callbacks[i]!;
      requests.push({ seq: requests.length + 1, round, callback, path: paths[i]!, label: opts.repeat > 1 ? `${callback.name} #${round}` : callback.name });
    }
  }
  return { requests, usesRecordedPaths: append && callbacks.some((c) => c.path !== undefined && c.path !== "/") };
}
