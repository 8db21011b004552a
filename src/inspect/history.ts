/**
 * The inspector's memory: the last N callbacks (and at most a byte budget of their bodies), with the
 * deliveries of one callback grouped by the listener's own duplicate key (listen/dedupe.ts callbackKey),
 * so a Sinch retry lands next to its first attempt. Oldest entries are dropped first; a group disappears
 * with its last entry. No sockets, no clock: the server feeds it events.
 */
import type { ForwardResult } from "../listen/forward.js";
import type { ListenEvent } from "../listen/index.js";
import { callbackKey } from "../listen/dedupe.js";

export type CallbackEvent = Extract<ListenEvent, { event: "callback" }>;

export interface ReplayRecord {
  at: number;
  result: ForwardResult;
}

export interface StoredCallback {
  /** The listener's sequence number: stable, unique, and what the API uses in URLs. */
  id: number;
  groupId: number;
  event: CallbackEvent;
  replays: ReplayRecord[];
}

export interface HistoryOptions {
  maxEntries: number;
  /** Budget for the sum of raw body sizes; the newest entry is always kept, however big. */
  maxBodyBytes: number;
}

/** Replays kept per entry: the detail pane shows recent ones, an unbounded list would grow per click. */
export const MAX_REPLAYS_PER_ENTRY = 20;

export interface History {
  add(event: CallbackEvent): { entry: StoredCallback; evicted: number[] };
  get(id: number): StoredCallback | undefined;
  /** Oldest first. */
  all(): StoredCallback[];
  /** The deliveries of one group, oldest first. */
  group(groupId: number): StoredCallback[];
  addReplay(id: number, replay: ReplayRecord): boolean;
  readonly size: number;
  readonly bodyBytes: number;
  readonly options: HistoryOptions;
}

export function createHistory(options: HistoryOptions): History {
  if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) throw new RangeError("maxEntries must be a whole number >= 1");
  // Map iteration is insertion order, and ids only grow, so the first key is always the oldest entry.
  const entries = new Map<number, StoredCallback>();
  const groups = new Map<number, { key: string; ids: number[] }>();
  const groupByKey = new Map<string, number>();
  let nextGroup = 1;
  let bodyBytes = 0;

  const evictOldest = (): number | undefined => {
    const first = entries.keys().next();
    if (first.done) return undefined;
    const id = first.value;
    const entry = entries.get(id)!;
    entries.delete(id);
    bodyBytes -= entry.event.body.length;
    const g = groups.get(entry.groupId);
    if (g) {
      g.ids = g.ids.filter((x) => x !== id);
      if (g.ids.length === 0) {
        groups.delete(entry.groupId);
        groupByKey.delete(g.key);
      }
    }
    return id;
  };

  return {
    add(event) {
      const key = event.decision.key ?? callbackKey(event.decision.payload, event.body);
      let groupId = groupByKey.get(key);
      if (groupId === undefined) {
        groupId = nextGroup++;
        groupByKey.set(key, groupId);
        groups.set(groupId, { key, ids: [] });
      }
      const entry: StoredCallback = { id: event.seq, groupId, event, replays: [] };
      entries.set(entry.id, entry);
      groups.get(groupId)!.ids.push(entry.id);
      bodyBytes += event.body.length;

      const evicted: number[] = [];
      while (entries.size > options.maxEntries || (bodyBytes > options.maxBodyBytes && entries.size > 1)) {
        const id = evictOldest();
        if (id === undefined) break;
        evicted.push(id);
      }
      return { entry, evicted };
    },
    get: (id) => entries.get(id),
    all: () => [...entries.values()],
    group(groupId) {
      return (groups.get(groupId)?.ids ?? []).map((id) => entries.get(id)!).filter(Boolean);
    },
    addReplay(id, replay) {
      const entry = entries.get(id);
      if (!entry) return false;
      entry.replays.push(replay);
      if (entry.replays.length > MAX_REPLAYS_PER_ENTRY) entry.replays.splice(0, entry.replays.length - MAX_REPLAYS_PER_ENTRY);
      return true;
    },
    get size() {
      return entries.size;
    },
    get bodyBytes() {
      return bodyBytes;
    },
    options,
  };
}
