import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { bodyAsShellText, curlCommand, shellQuote, shellWord } from "../../src/send/curl.js";
import { shellQuote as fromSign } from "../../src/sign/command.js";

/**
 * What a POSIX shell hands to curl for `script` (a `curl` shell function prints its argv NUL-separated),
 * and what it pipes into curl's stdin. No network: this checks the quoting, not curl.
 */
function run(script: string, env: Record<string, string> = {}): { argv: string[]; stdin: Buffer } {
  const out = execFileSync("sh", ["-c", `curl() { for a in "$@"; do printf '%s\\0' "$a"; done; printf '\\1'; cat; }\n${script}`], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, input: "" });
  const split = out.indexOf(1);
  const argv = out.subarray(0, split).toString("utf8").split("\0");
  argv.pop();
  return { argv, stdin: out.subarray(split + 1) };
}

describe("shellQuote", () => {
  it("is still exported from sign/command.ts", () => {
    expect(fromSign).toBe(shellQuote);
  });

  it.each(["plain", "it's", "'", "$HOME `x` \\ \"q\" !", "new\nline", "👋", ""])("round-trips %j through sh", (value) => {
    expect(run(`curl ${shellQuote(value)}`).argv).toEqual([value]);
  });
});

describe("shellWord", () => {
  it("reads an environment variable as one argument, after a literal part", () => {
    const word = shellWord("authorization: ", { env: "TOKEN", before: "Bearer " });
    expect(word).toBe(`'authorization: Bearer '"$TOKEN"`);
    expect(run(`curl ${word}`, { TOKEN: "a b $c" }).argv).toEqual(["authorization: Bearer a b $c"]);
  });

  it("refuses a name that is not a variable name", () => {
    expect(() => shellWord("x: ", { env: "A; rm -rf /" })).toThrow(RangeError);
  });
});

describe("bodyAsShellText", () => {
  it("is the text for UTF-8 without NUL, undefined otherwise", () => {
    expect(bodyAsShellText(Buffer.from("héllo"))).toBe("héllo");
    expect(bodyAsShellText(Buffer.from([0x61, 0x00]))).toBeUndefined();
    expect(bodyAsShellText(Buffer.from([0xff]))).toBeUndefined();
  });
});

describe("curlCommand", () => {
  const headers = [
    ["content-type", "application/json"],
    ["x-secret", { env: "SECRET_VALUE" }],
  ] as const;

  it("inlines a text body with --data-binary, quoting intact", () => {
    const body = Buffer.from(`{"t":"it's $x \`y\` \\\\ \n"}`);
    const cmd = curlCommand({ url: "http://127.0.0.1:9/p?a=1&b=2", headers, body, userFromEnv: "CREDS" });
    const { argv } = run(cmd, { SECRET_VALUE: "s3", CREDS: "u:p" });
    expect(argv).toEqual(["-sS", "http://127.0.0.1:9/p?a=1&b=2", "-u", "u:p", "-H", "content-type: application/json", "-H", "x-secret: s3", "--data-binary", body.toString()]);
    expect(cmd).not.toContain("s3");
  });

  it("pipes a binary body from Base64 to --data-binary @-", () => {
    const body = Buffer.from([0x00, 0xff, 0x27, 0x0a, 0x5c]);
    const cmd = curlCommand({ url: "http://h/", headers: [], body });
    const { argv, stdin } = run(cmd);
    expect(argv.slice(-2)).toEqual(["--data-binary", "@-"]);
    expect(stdin.equals(body)).toBe(true);
  });

  it("pipes a text body longer than maxInlineBytes too", () => {
    const body = Buffer.from("x".repeat(100));
    const cmd = curlCommand({ url: "http://h/", headers: [], body, maxInlineBytes: 10 });
    expect(run(cmd).stdin.equals(body)).toBe(true);
  });
});
