/**
 * The live progress line for real and scaled runs on a terminal: attempts so far and a countdown to the
 * next attempt. Pure; the command redraws it in place (`\r` + erase line) a few times a second.
 */
import type { Theme } from "../render/theme.js";
import type { ProgressSnapshot } from "./engine.js";
import { formatOffset } from "./format.js";
import type { ClockSpec } from "./options.js";

export function renderProgress(p: ProgressSnapshot, clockNow: number, clock: ClockSpec, theme: Theme): string {
  const parts = [`${p.attempts} attempt${p.attempts === 1 ? "" : "s"}`, `${p.finished} of ${p.total} callback${p.total === 1 ? "" : "s"} done (${p.delivered} delivered)`];
  if (p.inFlight > 0) parts.push(`${p.inFlight} waiting for an answer`);
  if (p.nextAt !== null) {
    const clockMs = Math.max(0, p.nextAt - clockNow);
    // The countdown is in real seconds; a scaled clock's milliseconds pass `factor` times faster.
    const realS = (clock.kind === "scaled" ? clockMs / clock.factor : clockMs) / 1000;
    const at = formatOffset(p.nextAt - p.startedAt);
    parts.push(`next attempt in ${realS < 10 ? realS.toFixed(1) : Math.round(realS)} s (${at}${clock.kind === "scaled" ? " on Sinch's clock" : ""})`);
  }
  return `${theme.cyan("⏳")} ${parts.join(" · ")}  ${theme.dim("Ctrl-C stops and prints the report")}`;
}
