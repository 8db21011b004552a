/**
 * Writes recordings atomically (temp file + rename) so a reader never sees half a file, and keeps
 * track of pending writes so shutdown can flush them: nothing received is lost on Ctrl-C.
 */
import { mkdir, rename, writeFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { SinchHooksError } from "../errors.js";
import type { Recording } from "./recording.js";

export interface Recorder {
  dir: string;
  /** Queues a write; resolves with the file path, rejects if the disk refused. */
  write(rec: Recording, seq: number): Promise<string>;
  /** Waits for every queued write. */
  flush(): Promise<void>;
  readonly written: number;
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

export async function createRecorder(dir: string): Promise<Recorder> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new SinchHooksError("SH_RECORD_DIR", "input", `cannot create --record directory ${dir}: ${(err as Error).message}`, {
      hint: "choose a writable directory",
    });
  }
  const pending = new Set<Promise<unknown>>();
  let written = 0;
  return {
    dir,
    write(rec, seq) {
      const name = recordingFileName(rec, seq);
      const final = join(dir, name);
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      const p = (async () => {
        try {
          await writeFile(tmp, JSON.stringify(rec, null, 2) + "\n");
          await rename(tmp, final);
          written++;
          return final;
        } catch (err) {
          await unlink(tmp).catch(() => undefined);
          throw err;
        }
      })();
      pending.add(p);
      void p.then(
        () => pending.delete(p),
        () => pending.delete(p),
      );
      return p;
    },
    async flush() {
      while (pending.size > 0) await Promise.allSettled(pending);
    },
    get written() {
      return written;
    },
  };
}
