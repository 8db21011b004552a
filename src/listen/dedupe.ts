/**
 * Recognises a callback seen before, so the developer can watch Sinch's real retry timing
 * ("retry #2, +10 s after first"). Sinch gives no ordering or de-duplication guarantee for SMS
 * callbacks (shared/reference/sinch-callbacks.md §6, "Ordering and duplicates"), so a retry is only
 * recognisable by content: the same body, or the same identity (id for inbound messages;
 * batch + recipient + status + code for recipient reports).
 */
import { createHash } from "node:crypto";

export interface SeenInfo {
  /** 1-based: 1 = first time seen. */
  attempt: number;
  firstSeenMs: number;
  previousSeenMs: number | null;
}

export function callbackKey(payload: unknown, rawBody: Uint8Array): string {
  if (payload !== null && typeof payload === "object" && !Array.isArray(payload)) {
    const p = payload as Record<string, unknown>;
    const type = typeof p.type === "string" ? p.type : "";
    if (type.startsWith("mo_") && typeof p.id === "string" && p.id !== "") return `mo:${p.id}`;
    if (type.startsWith("recipient_delivery_report") && typeof p.batch_id === "string" && typeof p.recipient === "string") {
      return `rdr:${type}|${p.batch_id}|${p.recipient}|${String(p.status)}|${String(p.code)}`;
    }
  }
  return `body:${createHash("sha256").update(rawBody).digest("base64url")}`;
}

export interface DedupeTracker {
  see(key: string, nowMs: number): SeenInfo;
  readonly size: number;
}

/** Bounded: the oldest entries are forgotten first (Map keeps insertion order; a hit moves to the end). */
export function createDedupeTracker(maxEntries = 10_000): DedupeTracker {
  const seen = new Map<string, { first: number; last: number; count: number }>();
  return {
    see(key, nowMs) {
      const entry = seen.get(key);
      if (entry) {
        seen.delete(key);
        const previous = entry.last;
        entry.count += 1;
        entry.last = nowMs;
        seen.set(key, entry);
        return { attempt: entry.count, firstSeenMs: entry.first, previousSeenMs: previous };
      }
      seen.set(key, { first: nowMs, last: nowMs, count: 1 });
      if (seen.size > maxEntries) seen.delete(seen.keys().next().value as string);
      return { attempt: 1, firstSeenMs: nowMs, previousSeenMs: null };
    },
    get size() {
      return seen.size;
    },
  };
}
