import { isSinchHooksError } from "../errors.js";
import type { Theme } from "./theme.js";

/** "✗ message" plus "  → hint". Never a stack trace for errors a user can cause. */
export function renderError(err: unknown, theme: Theme, opts: { debug?: boolean } = {}): string {
  if (isSinchHooksError(err)) {
    let out = `${theme.red("✗")} ${err.message}\n`;
    if (err.hint) out += `  ${theme.dim("→")} ${err.hint}\n`;
    if (opts.debug && err.stack) out += theme.dim(err.stack) + "\n";
    return out;
  }
  const message = err instanceof Error ? err.message : String(err);
  let out = `${theme.red("✗")} internal error: ${message}\n`;
  out += `  ${theme.dim("→")} this is a bug in sinch-hooks; rerun with SINCH_HOOKS_DEBUG=1 for details and report it\n`;
  if (opts.debug && err instanceof Error && err.stack) out += theme.dim(err.stack) + "\n";
  return out;
}
