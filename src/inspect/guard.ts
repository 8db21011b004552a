/**
 * Who may talk to the inspector. It binds to 127.0.0.1, but that alone does not stop a web page from
 * reaching it: with DNS rebinding, evil.example can resolve to 127.0.0.1 and the browser then sends
 * `Host: evil.example:7463` to us. Only loopback names on our own port are served. For state-changing
 * requests (replay, response mode), a cross-site page could also POST to 127.0.0.1 directly, so those
 * additionally need a same-origin Origin (when the browser sends one) and a JSON body, which a plain
 * HTML form cannot produce without a CORS preflight we never answer.
 */

const LOOPBACK_NAMES = new Set(["127.0.0.1", "localhost", "::1"]);

export type HostCheck = { ok: true } | { ok: false; reason: string };

/** `Host` (or an Origin's host part) must be 127.0.0.1, localhost or [::1], with our port. */
export function checkHost(host: string | undefined, port: number): HostCheck {
  if (host === undefined || host === "") return { ok: false, reason: "no Host header" };
  const m = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/i.exec(host) ?? /^([^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  if (!m) return { ok: false, reason: "malformed Host header" };
  const name = m[1]!.toLowerCase();
  if (!LOOPBACK_NAMES.has(name)) return { ok: false, reason: "Host is not a loopback name" };
  // Browsers omit the port only when it is the scheme's default.
  const given = m[2] === undefined ? 80 : Number(m[2]);
  if (given !== port) return { ok: false, reason: "Host names another port" };
  return { ok: true };
}

/** For POSTs: an Origin, when present, must be http://<loopback name>:<our port>. */
export function checkOrigin(origin: string | undefined, port: number): HostCheck {
  if (origin === undefined) return { ok: true };
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return { ok: false, reason: "malformed Origin" };
  }
  if (u.protocol !== "http:") return { ok: false, reason: "cross-origin request" };
  const r = checkHost(u.host, port);
  return r.ok ? r : { ok: false, reason: "cross-origin request" };
}

/** Fetch metadata (sent by current browsers): only same-origin or user-typed requests may change state. */
export function checkFetchSite(site: string | undefined): HostCheck {
  if (site === undefined || site === "same-origin" || site === "none") return { ok: true };
  return { ok: false, reason: `cross-site request (${site})` };
}
