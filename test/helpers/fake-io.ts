import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import type { Io, Writer } from "../../src/io.js";

export interface BufferWriter extends Writer {
  text(): string;
  /** Resolves with the first match once the written text matches (checked on every write). */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

export function bufferWriter(isTTY = false): BufferWriter {
  let buf = "";
  let waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const check = (): void => {
    waiters = waiters.filter((w) => {
      const m = buf.match(w.pattern);
      if (m) w.resolve(m);
      return !m;
    });
  };
  return {
    isTTY,
    write(chunk: string) {
      buf += chunk;
      check();
      return true;
    },
    text: () => buf,
    waitFor(pattern) {
      return new Promise((resolve) => {
        waiters.push({ pattern, resolve });
        check();
      });
    },
  };
}

export interface FakeIo extends Io {
  stdout: BufferWriter;
  stderr: BufferWriter;
}

/** An Io with string buffers, a fixed clock unless `now` is given, stdin from a string, and real file reads. */
export function fakeIo(opts: { stdin?: string; env?: Record<string, string | undefined>; now?: () => number; cwd?: string } = {}): FakeIo {
  const stdin = Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]) as Readable & { isTTY?: boolean };
  return {
    stdout: bufferWriter(),
    stderr: bufferWriter(),
    stdin,
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    now: opts.now ?? (() => Date.UTC(2026, 10, 27, 12, 0, 0)),
    readFile: (p) => readFile(p),
  };
}
