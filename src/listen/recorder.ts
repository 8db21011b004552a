/**
 * Writes recordings atomically (temp file + rename) so a reader never sees half a file.
 *
 * Writing is off the answer path: a file create + rename costs about a millisecond on an ordinary disk
 * (measured while building `npm run bench:listen`), which would cap the listener near 1 000 callbacks/s
 * if every answer waited for it. Instead records are queued and written by a few concurrent workers;
 * `flush()` (called on shutdown) waits for all of them, so nothing is lost on Ctrl-C. The queue is
 * bounded: when it is full, `enqueue` waits for room, which slows the sender rather than growing memory.
 */
import { mkdir, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SinchHooksError } from "../errors.js";
import type { Recording } from "./recording.js";

export interface Recorder {
  dir: string;
  /**
   * Queues a write and returns the file's final path. Resolves at once unless the queue is full.
   * A write that fails later is reported through `onError`.
   */
  enqueue(rec: Recording, seq: number): Promise<string>;
  /** Waits for every queued write. */
  flush(): Promise<void>;
  readonly written: number;
  readonly pending: number;
}

export interface RecorderOptions {
  /** Writes in flight at once. */
  concurrency?: number;
  /** Queued records before enqueue waits. */
  maxQueued?: number;
  onError?: (err: Error, path: string) => void;
}

function stamp(iso: string): string {
  // 2026-11-27T13:21:44.123Z → 20261127T132144.123Z (sortable, safe on every file system)
  return iso.replace(/[-:]/g, "");
}

function safeType(type: string | null): string {
  if (!type) return "unknown";
  return type.replace(/[^a-z0-9_]/gi, "_").slice(0, 40) || "unknown";
}

export function recordingFileName(rec: Recording, seq: number): string {
  return `${stamp(rec.received_at)}-${String(seq).padStart(6, "0")}-${safeType(rec.verdict.type)}.json`;
}

export async function createRecorder(dir: string, opts: RecorderOptions = {}): Promise<Recorder> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new SinchHooksError("SH_RECORD_DIR", "input", `cannot create --record directory ${dir}: ${(err as Error).message}`, {
      hint: "choose a writable directory",
    });
  }
  const concurrency = opts.concurrency ?? 8;
  const maxQueued = opts.maxQueued ?? 10_000;
  const queue: { path: string; tmp: string; text: string }[] = [];
  let active = 0;
  let written = 0;
  let idleWaiters: (() => void)[] = [];
  let roomWaiters: (() => void)[] = [];

  const settle = (): void => {
    if (queue.length < maxQueued && roomWaiters.length) {
      const w = roomWaiters;
      roomWaiters = [];
      for (const r of w) r();
    }
    if (queue.length === 0 && active === 0 && idleWaiters.length) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const r of w) r();
    }
  };

  const pump = (): void => {
    while (active < concurrency && queue.length > 0) {
      const job = queue.shift()!;
      active++;
      void (async () => {
        try {
          await writeFile(job.tmp, job.text);
          await rename(job.tmp, job.path);
          written++;
        } catch (err) {
          await unlink(job.tmp).catch(() => undefined);
          opts.onError?.(err as Error, job.path);
        } finally {
          active--;
          pump();
          settle();
        }
      })();
    }
  };

  return {
    dir,
    async enqueue(rec, seq) {
      while (queue.length >= maxQueued) await new Promise<void>((r) => roomWaiters.push(r));
      const name = recordingFileName(rec, seq);
      const path = join(dir, name);
      queue.push({ path, tmp: join(dir, `.${name}.${process.pid}.tmp`), text: JSON.stringify(rec, null, 2) + "\n" });
      pump();
      return path;
    },
    flush() {
      if (queue.length === 0 && active === 0) return Promise.resolve();
      return new Promise<void>((r) => idleWaiters.push(r));
    },
    get written() {
      return written;
    },
    get pending() {
      return queue.length + active;
    },
  };
}
