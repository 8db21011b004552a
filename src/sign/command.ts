/**
 * `sinch-hooks sign`: print the x-sinch-webhook-signature headers Sinch would send with a payload
 * (shared/reference/sinch-callbacks.md §4.2), optionally as a ready curl command.
 */
import { UsageError } from "../errors.js";
import { parseEpochSeconds, parseNonce } from "../cli/parse-options.js";
import { ulid } from "../ids.js";
import { readSource } from "../input.js";
import { colorEnabled, type Io } from "../io.js";
import { createTheme } from "../render/theme.js";
import { HMAC_HEADERS, signHmac } from "./hmac.js";
import { bodyAsShellText, shellQuote } from "../send/curl.js";

// Kept here too: shellQuote was first exported from this module.
export { shellQuote } from "../send/curl.js";

export interface SignOptions {
  /** A file path, or "-" for stdin. */
  input: string;
  secret?: string;
  nonce?: string;
  timestamp?: string;
  /** Print a curl command that POSTs the signed bytes to this URL. */
  curl?: string;
  json: boolean;
}


export async function runSign(opts: SignOptions, io: Io): Promise<number> {
  // Flags first, so a mistake is reported before stdin is consumed.
  if (opts.secret === undefined || opts.secret === "") {
    throw new UsageError("missing --secret: the HMAC secret of the service plan is needed to sign", "pass --secret <secret> or set SINCH_HOOKS_HMAC_SECRET");
  }
  const secret = opts.secret;

  let timestamp: number;
  if (opts.timestamp === undefined) {
    timestamp = Math.floor(io.now() / 1000);
  } else {
    timestamp = parseEpochSeconds(opts.timestamp, "leave it out to use the current time");
  }

  if (opts.nonce !== undefined) parseNonce(opts.nonce, "leave it out for a fresh ULID-style nonce");
  // Sinch's nonces look like ULIDs (§4.2, format not documented), so the default does too.
  const nonce = opts.nonce ?? ulid(io.now());

  const source = await readSource(opts.input, io);
  const theme = createTheme(colorEnabled(io.env, io.stderr));

  // The bytes are signed exactly as read, never re-serialized or trimmed (§4.2: the raw body is what
  // is hashed). A trailing newline, which editors add and Sinch's compact one-line bodies lack, is
  // therefore part of the signature; stripping it silently would sign bytes other than the file's.
  // So it is kept, and a note says so, because a receiver that gets the body without the newline
  // (e.g. re-sent by another tool) will compute a different signature.
  if (source.bytes.length > 0 && source.bytes[source.bytes.length - 1] === 0x0a) {
    io.stderr.write(
      `${theme.yellow("note:")} ${source.name} ends with a newline; it is part of the signed bytes, so send the body byte-for-byte${opts.curl === undefined ? "" : " (the curl command does)"}\n`,
    );
  }
  if (opts.timestamp !== undefined && opts.timestamp.length >= 13) {
    io.stderr.write(`${theme.yellow("note:")} --timestamp ${opts.timestamp} looks like milliseconds; Sinch sends seconds\n`);
  }

  const headers = signHmac({ secret, body: source.bytes, nonce, timestamp });
  const ordered = [HMAC_HEADERS.signature, HMAC_HEADERS.nonce, HMAC_HEADERS.timestamp, HMAC_HEADERS.algorithm].map((name) => [name, headers[name]!] as const);

  if (opts.curl !== undefined) {
    let data: string;
    if (opts.input === "-") {
      const text = bodyAsShellText(source.bytes);
      if (text === undefined) {
        throw new UsageError("--curl cannot inline this stdin body: it is not UTF-8 text or contains NUL bytes", "save the body to a file and pass its path, so curl sends it with --data-binary @file");
      }
      data = shellQuote(text);
    } else {
      // curl reads the file itself with --data-binary, so the exact signed bytes are sent (no newline
      // stripping, unlike -d). The "@" goes inside the quotes; the whole word stays one argument.
      data = shellQuote(`@${opts.input}`);
    }
    const lines = [
      `curl -sS ${shellQuote(opts.curl)}`,
      `-H ${shellQuote("content-type: application/json")}`,
      ...ordered.map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`),
      `--data-binary ${data}`,
    ];
    io.stdout.write(`${lines.join(" \\\n  ")}\n`);
  } else if (opts.json) {
    io.stdout.write(`${JSON.stringify({ headers: Object.fromEntries(ordered), nonce, timestamp })}\n`);
  } else {
    io.stdout.write(ordered.map(([name, value]) => `${name}: ${value}\n`).join(""));
  }
  return 0;
}
