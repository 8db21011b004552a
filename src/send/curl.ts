/**
 * Shell and curl helpers shared by `sign --curl` and `replay --dry-run`: POSIX single-quoting, and a
 * curl command that sends exactly the given bytes. Secrets never go into the command: they are
 * written as references to environment variables, which the shell expands when the command runs.
 */

/** POSIX single-quoting: everything is literal inside '…'; a ' is written as '\'' (close, escaped quote, reopen). */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The body as shell text, or undefined when it cannot be one: a shell argument cannot hold NUL, and text
 * written to stdout must survive a UTF-8 round trip, or the command would send other bytes than the
 * ones that were signed.
 */
export function bodyAsShellText(bytes: Buffer): string | undefined {
  if (bytes.includes(0)) return undefined;
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes) ? text : undefined;
}

/**
 * A header value that is either literal or read from an environment variable when the command runs,
 * optionally after a literal start (`{ env: "TOKEN", before: "Bearer " }`).
 */
export type CurlValue = string | { env: string; before?: string };

/** A literal part followed by an env reference, as one shell word: 'authorization: Bearer '"$TOKEN". */
export function shellWord(prefix: string, value: CurlValue): string {
  if (typeof value === "string") return shellQuote(prefix + value);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value.env)) throw new RangeError(`not an environment variable name: ${value.env}`);
  // The name is checked above, so "$NAME" needs no further quoting; the double quotes keep a value with
  // spaces as one argument.
  return `${shellQuote(prefix + (value.before ?? ""))}"$${value.env}"`;
}

export interface CurlCommandInput {
  url: string;
  headers: ReadonlyArray<readonly [string, CurlValue]>;
  body: Buffer;
  /** `-u "$ENV"`: Basic credentials read from the environment (curl builds the header). */
  userFromEnv?: string;
  /** Bodies bigger than this, or not text, are piped in as Base64 instead of inlined. @default 65536 */
  maxInlineBytes?: number;
}

/**
 * A curl command (POSIX sh) that POSTs exactly `body` with `headers`. A text body is inlined with
 * --data-binary (never -d, which strips newlines); other bodies are decoded from Base64 and piped in,
 * so the bytes sent are the bytes given, whatever they are.
 */
export function curlCommand(input: CurlCommandInput): string {
  const max = input.maxInlineBytes ?? 65_536;
  const text = input.body.length <= max ? bodyAsShellText(input.body) : undefined;
  const parts = [`curl -sS ${shellQuote(input.url)}`];
  if (input.userFromEnv) parts.push(`-u "$${input.userFromEnv}"`);
  for (const [name, value] of input.headers) parts.push(`-H ${shellWord(`${name}: `, value)}`);
  if (text !== undefined) {
    parts.push(`--data-binary ${shellQuote(text)}`);
    return parts.join(" \\\n  ");
  }
  parts.push("--data-binary @-");
  // printf is a shell builtin, so a long Base64 argument is not limited by the kernel's argument size.
  return `printf '%s' ${shellQuote(input.body.toString("base64"))} | base64 -d | ${parts.join(" \\\n  ")}`;
}
