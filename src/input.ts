import { InputError } from "./errors.js";
import type { Io } from "./io.js";

export interface InputSource {
  /** What to call it in messages: the path, or "stdin". */
  name: string;
  bytes: Buffer;
}

/** Reads a file path, or stdin for "-". Unreadable input is an InputError (exit 2), never a stack trace. */
export async function readSource(spec: string, io: Io): Promise<InputSource> {
  if (spec === "-") {
    if (io.stdin.isTTY) {
      throw new InputError("stdin is a terminal, nothing to read from \"-\"", "pipe a payload in, e.g. `sinch-hooks fixtures mo_text | sinch-hooks validate -`");
    }
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
    return { name: "stdin", bytes: Buffer.concat(chunks) };
  }
  try {
    return { name: spec, bytes: await io.readFile(spec) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError(`file not found: ${spec}`, "check the path; use - to read from stdin", "SH_INPUT_NOT_FOUND");
    if (code === "EISDIR") throw new InputError(`${spec} is a directory, not a file`, "name the JSON files inside it, e.g. dir/*.json", "SH_INPUT_IS_DIR");
    if (code === "EACCES") throw new InputError(`permission denied reading ${spec}`, undefined, "SH_INPUT_DENIED");
    throw new InputError(`cannot read ${spec}: ${(err as Error).message}`, undefined, "SH_INPUT_UNREADABLE");
  }
}
