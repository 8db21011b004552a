/**
 * Time formats for simulate-retries. Offsets are measured from a callback's first attempt, as Sinch
 * measures its schedule ("The last retry will be at 81920 seconds … after the initial failed attempt",
 * SMS "Webhooks" page; shared/reference/sinch-callbacks.md §6).
 */
import { formatSeconds } from "../retry/schedule.js";

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** Timeline column: `T+00:10:40`; `T+00:00:00.150` when `withMs` (sub-second schedules, real clocks). */
export function formatOffset(ms: number, withMs = false): string {
  const total = Math.max(0, Math.round(ms));
  const s = Math.floor(total / 1000);
  const base = `T+${pad2(Math.floor(s / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
  return withMs ? `${base}.${String(total % 1000).padStart(3, "0")}` : base;
}

/** Outcome lines: `T+0s`, `T+15s`, `T+22h45m20s`, `T+150ms`, `T+1.5s`. */
export function formatCompactOffset(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total > 0 && total < 1000) return `T+${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const restMs = total % 60_000;
  const parts: string[] = [];
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (restMs || parts.length === 0) parts.push(`${trimDecimals(restMs / 1000)}s`);
  return `T+${parts.join("")}`;
}

/** A gap or duration in words: `5 s`, `11 h 22 min 40 s`, `50 ms`, `1.5 s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total % 1000 === 0) return formatSeconds(total / 1000);
  if (total < 1000) return `${total} ms`;
  if (total < 60_000) return `${trimDecimals(total / 1000)} s`;
  return `${formatSeconds(Math.floor(total / 1000))} ${total % 1000} ms`;
}

/** Measured latency: `0.8 ms`, `312.4 ms`, `10.02 s`. */
export function formatLatency(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** A rate in callbacks per second: `100/s`, `12.5/s`, `0.39/s`. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 100) return `${Math.round(perSecond)}/s`;
  if (perSecond >= 10) return `${trimDecimals(Math.round(perSecond * 10) / 10)}/s`;
  return `${trimDecimals(Math.round(perSecond * 100) / 100)}/s`;
}

function trimDecimals(n: number): string {
  return String(Number(n.toFixed(3)));
}
