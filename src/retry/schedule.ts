/**
 * Sinch's callback retry schedule, as data.
 *
 * Sinch "Webhooks" page (SMS REST API): "The first initial retry will happen 5 seconds after the first
 * try. The next attempt is after 10 seconds, then after 20 seconds, after 40 seconds, after 80 seconds,
 * doubling on every attempt. The last retry will be at 81920 seconds (or 22 hours 45 minutes) after the
 * initial failed attempt." The wording fits two readings (shared/reference/sinch-callbacks.md §6);
 * Decisions (a) pins the default:
 *   - "sinch": retry k happens 5·2^(k−1) s after the FIRST attempt (offsets 5, 10, 20 … 81920;
 *     15 retries, 16 attempts). Only this reading ends exactly at the documented 81920 s.
 *   - "doubling-gaps": the gap before retry k is 5·2^(k−1) s (offsets 5, 15, 35 … 163835).
 */
export type ScheduleProfile = "sinch" | "doubling-gaps";

export interface ScheduledRetry {
  /** 1-based retry number (attempt number minus one). */
  retry: number;
  /** Seconds after the first attempt. */
  offsetSeconds: number;
  /** Seconds after the previous attempt. */
  gapSeconds: number;
}

export const SINCH_RETRIES = 15;

export function retrySchedule(profile: ScheduleProfile = "sinch", maxRetries = SINCH_RETRIES): readonly ScheduledRetry[] {
  const out: ScheduledRetry[] = [];
  let previous = 0;
  for (let k = 1; k <= Math.min(maxRetries, SINCH_RETRIES); k++) {
    const base = 5 * 2 ** (k - 1);
    const offset = profile === "sinch" ? base : previous + base;
    out.push({ retry: k, offsetSeconds: offset, gapSeconds: offset - previous });
    previous = offset;
  }
  return out;
}

/** A custom schedule from gaps in seconds (e.g. parsed from --schedule 5s,10s,1m). */
export function scheduleFromGaps(gapsSeconds: readonly number[]): readonly ScheduledRetry[] {
  let offset = 0;
  return gapsSeconds.map((gap, i) => {
    offset += gap;
    return { retry: i + 1, offsetSeconds: offset, gapSeconds: gap };
  });
}

/** "5 s", "1 min 20 s", "22 h 45 min 20 s". */
export function formatSeconds(total: number): string {
  const s = Math.round(total);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const parts: string[] = [];
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (r) parts.push(`${r} s`);
  return parts.join(" ");
}
