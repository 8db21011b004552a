import { readFile as fsReadFile } from "node:fs/promises";

/** Somewhere text goes: process.stdout/stderr in production, a string buffer in tests. */
export interface Writer {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/**
 * The outside world a command may touch. `createRealIo()` is the default;
 * tests pass buffers, a fixed clock and their own env.
 */
export interface Io {
  stdout: Writer;
  stderr: Writer;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  readFile(path: string): Promise<Buffer>;
}

/**
 * A process stream that goes quiet when its reader goes away (`sinch-hooks validate … | head -1`):
 * EPIPE would otherwise be an unhandled 'error' event and a stack trace. The command still finishes
 * and returns its own exit code.
 */
function pipeSafe(stream: NodeJS.WriteStream): Writer {
  let closed = false;
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") closed = true;
    else throw err;
  });
  return {
    get isTTY() {
      return stream.isTTY === true;
    },
    write(chunk: string) {
      return closed ? false : stream.write(chunk);
    },
  };
}

export function createRealIo(): Io {
  return {
    stdout: pipeSafe(process.stdout),
    stderr: pipeSafe(process.stderr),
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    now: () => Date.now(),
    readFile: (path) => fsReadFile(path),
  };
}

/**
 * Colour decision, in one place: NO_COLOR wins, then FORCE_COLOR, then whether the stream is a TTY.
 * See https://no-color.org and chalk's FORCE_COLOR convention.
 */
export function colorEnabled(env: Io["env"], stream: Writer): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  return stream.isTTY === true;
}
