import { UsageError } from "../errors.js";
import { parseUrl } from "../cli/parse-options.js";

/** --to URL, or SINCH_HOOKS_TARGET. A missing or malformed one is a usage error naming --to. */
export function resolveTarget(to: string | undefined, env: Record<string, string | undefined>): URL {
  const value = to ?? (env.SINCH_HOOKS_TARGET === "" ? undefined : env.SINCH_HOOKS_TARGET);
  if (value === undefined) {
    throw new UsageError("missing --to: where should the callbacks go?", "pass --to http://localhost:3000/sinch (or set SINCH_HOOKS_TARGET)");
  }
  return parseUrl(to === undefined ? "SINCH_HOOKS_TARGET" : "--to", value);
}

/**
 * The request path for one callback: the target's path, with a per-fixture path (from a recording)
 * appended when `appendPath` is set. Query strings on the target are kept.
 */
export function requestPath(target: URL, fixturePath?: string, appendPath = false): string {
  const base = target.pathname || "/";
  if (!appendPath || !fixturePath || fixturePath === "/") return base + target.search;
  const joined = base.replace(/\/$/, "") + (fixturePath.startsWith("/") ? fixturePath : `/${fixturePath}`);
  return joined + target.search;
}
