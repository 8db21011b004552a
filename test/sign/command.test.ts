import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { InputError, UsageError } from "../../src/errors.js";
import { ulid } from "../../src/ids.js";
import { runSign, shellQuote, type SignOptions } from "../../src/sign/command.js";
import { signHmac, verifyHmac } from "../../src/sign/hmac.js";
import { fakeIo, type FakeIo } from "../helpers/fake-io.js";

// Official SMS vector, shared/reference/sinch-callbacks.md §4.3 (one line, no trailing newline).
const SMS = {
  secret: "SMSWebhooksSecret",
  nonce: "01JHFFHWYY7HSS4FWTMDTQEK8V",
  timestamp: "1736760161",
  body: '{"at":"2025-01-13T09:22:40.914Z","batch_id":"01JHFFHQ0P99JPPNQPJDV7JTBP","client_reference":"a client reference","code":0,"operator_status_at":"2025-01-13T09:22:00Z","recipient":"33662162466","status":"Delivered","type":"recipient_delivery_report_sms"}',
  signature: "ZoHei66PPN/kZjw7hFVfGhJOnml3iGNCMWoyQVcE5o0=",
};

const dir = mkdtempSync(join(tmpdir(), "sinch-hooks-sign-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeTemp(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const smsFile = writeTemp("sms.json", SMS.body);

function options(overrides: Partial<SignOptions>): SignOptions {
  return { input: smsFile, secret: SMS.secret, json: false, ...overrides };
}

async function sign(overrides: Partial<SignOptions>, io: FakeIo = fakeIo()): Promise<{ code: number; out: string; err: string }> {
  const code = await runSign(options(overrides), io);
  const out = io.stdout.text();
  const err = io.stderr.text();
  // Whatever the mode, the secret never reaches the terminal.
  expect(out).not.toContain(overrides.secret ?? SMS.secret);
  expect(err).not.toContain(overrides.secret ?? SMS.secret);
  return { code, out, err };
}

/** The argv a POSIX shell would hand to curl for `command`: a `curl` shell function prints its arguments NUL-separated. */
function shellArgv(command: string): string[] {
  const printed = execFileSync("sh", ["-c", `curl() { for a in "$@"; do printf '%s\\0' "$a"; done; }\n${command}`]);
  const parts = printed.toString("utf8").split("\0");
  parts.pop(); // after the last NUL
  return parts;
}

function headerArgs(argv: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  argv.forEach((arg, i) => {
    if (arg === "-H") {
      const value = argv[i + 1]!;
      const colon = value.indexOf(":");
      headers[value.slice(0, colon).toLowerCase()] = value.slice(colon + 1).trim();
    }
  });
  return headers;
}

describe("sinch-hooks sign", () => {
  it("prints the official signature for the SMS vector file with fixed nonce and timestamp", async () => {
    const { code, out, err } = await sign({ nonce: SMS.nonce, timestamp: SMS.timestamp });
    expect(code).toBe(0);
    expect(out).toBe(
      [
        `x-sinch-webhook-signature: ${SMS.signature}`,
        `x-sinch-webhook-signature-nonce: ${SMS.nonce}`,
        `x-sinch-webhook-signature-timestamp: ${SMS.timestamp}`,
        "x-sinch-webhook-signature-algorithm: HmacSHA256",
        "",
      ].join("\n"),
    );
    expect(err).toBe("");
  });

  it("defaults to a ULID-style nonce and the current time in seconds", async () => {
    const now = Date.UTC(2026, 10, 27, 12, 0, 0) + 789;
    const { out } = await sign({ json: true }, fakeIo({ now: () => now }));
    const parsed = JSON.parse(out) as { headers: Record<string, string>; nonce: string; timestamp: number };
    expect(parsed.timestamp).toBe(Math.floor(now / 1000));
    expect(parsed.nonce).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(parsed.nonce.slice(0, 10)).toBe(ulid(now).slice(0, 10));
    // And the headers verify at that time.
    expect(verifyHmac({ secret: SMS.secret, body: SMS.body, headers: parsed.headers, nowMs: now }).ok).toBe(true);
  });

  it("--json prints headers, nonce and timestamp", async () => {
    const { out } = await sign({ nonce: SMS.nonce, timestamp: SMS.timestamp, json: true });
    expect(out.endsWith("\n")).toBe(true);
    expect(JSON.parse(out)).toEqual({
      headers: {
        "x-sinch-webhook-signature": SMS.signature,
        "x-sinch-webhook-signature-nonce": SMS.nonce,
        "x-sinch-webhook-signature-timestamp": SMS.timestamp,
        "x-sinch-webhook-signature-algorithm": "HmacSHA256",
      },
      nonce: SMS.nonce,
      timestamp: 1736760161,
    });
  });

  it("signs a trailing newline as part of the body and says so on stderr", async () => {
    const file = writeTemp("with-newline.json", `${SMS.body}\n`);
    const { out, err } = await sign({ input: file, nonce: SMS.nonce, timestamp: SMS.timestamp });
    const expected = signHmac({ secret: SMS.secret, body: `${SMS.body}\n`, nonce: SMS.nonce, timestamp: SMS.timestamp })["x-sinch-webhook-signature"];
    expect(out).toContain(`x-sinch-webhook-signature: ${expected}\n`);
    expect(out).not.toContain(SMS.signature);
    expect(err).toMatch(/^note: .*with-newline\.json ends with a newline; it is part of the signed bytes/);
    expect(err.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("signs stdin bytes exactly", async () => {
    const { out } = await sign({ input: "-", nonce: SMS.nonce, timestamp: SMS.timestamp }, fakeIo({ stdin: SMS.body }));
    expect(out).toContain(`x-sinch-webhook-signature: ${SMS.signature}\n`);
  });

  it("--curl with a file: --data-binary @file, content type and the four headers, all correctly quoted", async () => {
    const file = writeTemp("it's a body.json", SMS.body);
    const url = "http://localhost:3000/sinch?x=1&y='2'";
    const { out } = await sign({ input: file, nonce: SMS.nonce, timestamp: SMS.timestamp, curl: url });
    expect(out).toContain(`--data-binary ${shellQuote(`@${file}`)}`);
    const argv = shellArgv(out);
    expect(argv[0]).toBe("-sS");
    expect(argv[1]).toBe(url);
    expect(argv.slice(-2)).toEqual(["--data-binary", `@${file}`]);
    expect(headerArgs(argv)).toEqual({
      "content-type": "application/json",
      "x-sinch-webhook-signature": SMS.signature,
      "x-sinch-webhook-signature-nonce": SMS.nonce,
      "x-sinch-webhook-signature-timestamp": SMS.timestamp,
      "x-sinch-webhook-signature-algorithm": "HmacSHA256",
    });
  });

  it("--curl with stdin inlines the body; a single quote, $, backslash and newline survive the shell", async () => {
    const body = `{"type":"mo_text","body":"it's $HOME \\"quoted\\" \`tick\` 👋\\n"}\n`;
    const { out } = await sign({ input: "-", curl: "http://127.0.0.1:3000/cb", nonce: "n-1", timestamp: SMS.timestamp }, fakeIo({ stdin: body }));
    expect(out).toContain(`'\\''`); // the POSIX escape for a single quote inside single quotes
    const argv = shellArgv(out);
    expect(argv.slice(-2)).toEqual(["--data-binary", body]);
    // The bytes curl would send are exactly the signed bytes.
    const headers = headerArgs(argv);
    expect(verifyHmac({ secret: SMS.secret, body: Buffer.from(argv.at(-1)!, "utf8"), headers, nowMs: Number(SMS.timestamp) * 1000 }).ok).toBe(true);
  });

  it("--curl refuses to inline a stdin body that is not UTF-8", async () => {
    const io = fakeIo();
    io.stdin = Readable.from([Buffer.from([0x7b, 0xff, 0x7d])]);
    await expect(runSign(options({ input: "-", curl: "http://127.0.0.1:3000/cb" }), io)).rejects.toThrow(UsageError);
    expect(io.stdout.text()).toBe("");
  });

  it.each([undefined, ""])("missing secret (%j) is a UsageError naming --secret, before reading input", async (secret) => {
    const io = fakeIo();
    const err = await runSign({ input: join(dir, "does-not-exist.json"), secret, json: false }, io).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain("--secret");
    expect((err as UsageError).hint).toContain("SINCH_HOOKS_HMAC_SECRET");
    expect((err as UsageError).exitCode).toBe(2);
    expect(io.stdout.text()).toBe("");
  });

  it.each(["1.5", "-1", "17e8", "abc", " 1736760161", "2025-01-13T09:22:41Z", "99999999999999999999"])("--timestamp %j is a UsageError naming --timestamp", async (timestamp) => {
    const io = fakeIo();
    const err = await runSign(options({ timestamp }), io).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toMatch(/^--timestamp must be Unix epoch seconds/);
    expect(io.stdout.text()).toBe("");
  });

  it("a millisecond --timestamp is signed as given, with a note", async () => {
    const { out, err } = await sign({ nonce: SMS.nonce, timestamp: "1736760161000" });
    expect(out).toContain("x-sinch-webhook-signature-timestamp: 1736760161000\n");
    expect(err).toMatch(/looks like milliseconds/);
  });

  it.each(["", "has space", "new\nline", "tab\t"])("--nonce %j is a UsageError naming --nonce", async (nonce) => {
    await expect(runSign(options({ nonce }), fakeIo())).rejects.toThrow(/^--nonce must be/);
  });

  it("a missing file is an InputError", async () => {
    await expect(runSign(options({ input: join(dir, "nope.json") }), fakeIo())).rejects.toThrow(InputError);
  });

  it("the secret appears in no output mode", async () => {
    const secret = "distinctive-secret-XYZ";
    for (const extra of [{}, { json: true }, { curl: "http://127.0.0.1:9/x" }] as Array<Partial<SignOptions>>) {
      const { out } = await sign({ secret, ...extra });
      expect(out.length).toBeGreaterThan(0);
    }
  });
});

describe("shellQuote", () => {
  it.each([
    ["plain", "'plain'"],
    ["", "''"],
    ["it's", "'it'\\''s'"],
    ["''", "''\\'''\\'''"],
    ["$HOME `x` \\ \"q\"", "'$HOME `x` \\ \"q\"'"],
  ])("%j → %s", (input, quoted) => {
    expect(shellQuote(input)).toBe(quoted);
    expect(shellArgv(`curl ${quoted}`)).toEqual([input]);
  });
});
