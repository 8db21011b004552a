/**
 * `sinch-hooks check` as a user meets it: --list, --only / --skip, the human table, --json, --junit read
 * back, exit codes (0 / 1 / 2 / 3 / 130), usage errors as one line, and secrets never printed.
 */
import { SmsCallbackWebhooks } from "@sinch/sms";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CHECK_NAMES } from "../../src/check/registry.js";
import { closedPort } from "../helpers/target-server.js";
import { byName, cli, parseReport } from "./cli.js";
import { ReferenceEndpoint } from "./reference-endpoint.js";
import { childrenNamed, parseXml } from "./xml.js";

const SECRET = "cmd-hmac-secret-fake";

let endpoint: ReferenceEndpoint | undefined;
let server: Server | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await endpoint?.stop();
  endpoint = undefined;
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
  }
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function serve(handler: RequestListener): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/sinch`;
}

function readBody(req: Parameters<RequestListener>[0]): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

/** One usage error: exit 2, one "✗" line and one hint, nothing on stdout, no stack trace. */
function expectUsageError(run: { code: number; stdout: string; stderr: string }, message: RegExp): void {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe("");
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^✗ /);
  expect(lines[0]).toMatch(message);
  expect(lines.length).toBeLessThanOrEqual(2);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe("--list", () => {
  it("prints every check with what it needs, without a target", async () => {
    const run = await cli(["check", "--list"]);
    expect(run.code).toBe(0);
    const names = run.stdout.trimEnd().split("\n").map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(CHECK_NAMES);
    expect(run.stdout).toMatch(/^hmac-refuses-forgeries .*\(needs --hmac-secret\)$/m);
    expect(run.stdout).toMatch(/^hmac-freshness .*\[warning only\]$/m);
    expect(run.stdout).toMatch(/^credentials .*\(needs --basic-auth or --oauth-token-url \+ --oauth-credentials\)$/m);
  });

  it("--list --json is machine-readable", async () => {
    const run = await cli(["check", "--list", "--json"]);
    const list = JSON.parse(run.stdout) as { name: string; needs: string | null; advisory: boolean; why: string }[];
    expect(list.map((c) => c.name)).toEqual(CHECK_NAMES);
    expect(list.find((c) => c.name === "raw-body-fidelity")).toMatchObject({ needs: "hmac", advisory: false });
    expect(list.find((c) => c.name === "hmac-freshness")!.advisory).toBe(true);
    for (const c of list) expect(c.why.length).toBeGreaterThan(40);
  });

  it("still refuses unknown names, so a typo in CI shows up at once", async () => {
    expectUsageError(await cli(["check", "--list", "--skip", "idempotence"]), /--skip: unknown check "idempotence"/);
  });
});

describe("--help", () => {
  it("documents the flags, their defaults and the exit codes", async () => {
    const run = await cli(["check", "--help"]);
    expect(run.code).toBe(0);
    for (const flag of ["--to", "--hmac-secret", "--basic-auth", "--oauth-token-url", "--oauth-credentials", "--header", "--budget-ms", "--timeout", "--only", "--skip", "--list", "--json", "--junit", "--strict"]) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.stdout).toMatch(/\(default: 2000\)/);
    expect(run.stdout).toMatch(/\(default: 10s\)/);
    expect(run.stdout).toMatch(/Exit codes: 0 no check failed/);
  });
});

describe("--only and --skip", () => {
  it("--only runs just those checks, in registry order, comma-separated or repeated", async () => {
    endpoint = await new ReferenceEndpoint().start();
    const a = parseReport((await cli(["check", "--to", endpoint.callbackUrl, "--only", "forward-compat,idempotency", "--json"])).stdout);
    expect(a.checks.map((c) => c.name)).toEqual(["idempotency", "forward-compat"]);
    const b = parseReport((await cli(["check", "--to", endpoint.callbackUrl, "--only", "malformed-input-4xx", "--only", "all-types-2xx", "--json"])).stdout);
    expect(b.checks.map((c) => c.name)).toEqual(["all-types-2xx", "malformed-input-4xx"]);
  });

  it("--skip leaves the others", async () => {
    endpoint = await new ReferenceEndpoint().start();
    const run = await cli(["check", "--to", endpoint.callbackUrl, "--skip", "all-types-2xx", "--skip", "idempotency,credentials", "--json"]);
    expect(parseReport(run.stdout).checks.map((c) => c.name)).toEqual(CHECK_NAMES.filter((n) => !["all-types-2xx", "idempotency", "credentials"].includes(n)));
  });

  it("an unknown name is a usage error that lists the real names", async () => {
    const run = await cli(["check", "--to", "http://127.0.0.1:9/sinch", "--only", "raw-body,idempotency"]);
    expectUsageError(run, /--only: unknown check "raw-body"/);
    expect(run.stderr).toContain(`the checks are: ${CHECK_NAMES.join(", ")}`);
  });

  it("skipping everything, or asking by name for a check without what it needs, is a usage error", async () => {
    expectUsageError(await cli(["check", "--to", "http://127.0.0.1:9/", "--skip", CHECK_NAMES.join(",")]), /leave no check to run/);
    expectUsageError(await cli(["check", "--to", "http://127.0.0.1:9/", "--only", "hmac-freshness"]), /--only hmac-freshness: no HMAC secret: pass --hmac-secret/);
    expectUsageError(await cli(["check", "--to", "http://127.0.0.1:9/", "--only", "credentials"]), /--only credentials: no Basic or OAuth credentials/);
  });
});

describe("usage errors are one line, before any request", () => {
  it.each<[string, string[], RegExp]>([
    ["no target", [], /missing --to: where should the callbacks go\?/],
    ["a target that is not a URL", ["--to", "not a url"], /--to must be a full URL/],
    ["a target that is not HTTP", ["--to", "localhost:3000"], /--to must use http or https/],
    ["a bad budget", ["--to", "http://127.0.0.1:9/", "--budget-ms", "fast"], /--budget-ms must be a whole number >= 1/],
    ["a bad timeout", ["--to", "http://127.0.0.1:9/", "--timeout", "soon"], /--timeout must be a duration/],
    ["a timeout shorter than the budget", ["--to", "http://127.0.0.1:9/", "--budget-ms", "3000", "--timeout", "1s"], /--timeout \(1000 ms\) must be at least --budget-ms \(3000 ms\)/],
    ["OAuth without credentials", ["--to", "http://127.0.0.1:9/", "--oauth-token-url", "http://127.0.0.1:9/oauth/token"], /--oauth-token-url needs --oauth-credentials/],
    ["OAuth credentials without a URL", ["--to", "http://127.0.0.1:9/", "--oauth-credentials", "a:b"], /--oauth-credentials needs --oauth-token-url/],
    ["Basic and OAuth together", ["--to", "http://127.0.0.1:9/", "--basic-auth", "a:b", "--oauth-token-url", "http://127.0.0.1:9/t", "--oauth-credentials", "a:b"], /Basic and OAuth cannot be combined/],
    ["a malformed --header", ["--to", "http://127.0.0.1:9/", "--header", "no colon here"], /--header must look like "Name: value"/],
    ["a malformed --basic-auth", ["--to", "http://127.0.0.1:9/", "--basic-auth", "justauser"], /--basic-auth must be user:password/],
    ["a JUnit file in a folder that does not exist", ["--to", "http://127.0.0.1:9/", "--junit", "/nonexistent-sinch-hooks-dir/report.xml"], /--junit: the folder \/nonexistent-sinch-hooks-dir does not exist/],
    ["an unknown flag", ["--to", "http://127.0.0.1:9/", "--hmac", "x"], /unknown option '--hmac'/],
  ])("%s", async (_label, args, message) => {
    expectUsageError(await cli(["check", ...args]), message);
  });

  it("the target and the secret can come from the environment", async () => {
    endpoint = await new ReferenceEndpoint({ hmacSecret: SECRET }).start();
    const run = await cli(["check", "--only", "hmac-refuses-forgeries", "--json"], { env: { SINCH_HOOKS_TARGET: endpoint.callbackUrl, SINCH_HOOKS_HMAC_SECRET: SECRET } });
    expect(run.code).toBe(0);
    expect(parseReport(run.stdout).checks[0]!.verdict).toBe("pass");
  });
});

describe("exit code 3: the target cannot be reached", () => {
  it("nothing listening: one line naming the URL and the reason, a hint, no table", async () => {
    const port = await closedPort();
    const run = await cli(["check", "--to", `http://127.0.0.1:${port}/sinch`]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `✗ cannot reach http://127.0.0.1:${port}/sinch: connection refused (is the app running?)\n  → is your app running and listening on port ${port}? Start it, or point --to at the right URL\n`,
    );
  });

  it("a connection opens but nothing ever answers: the table, then one line", async () => {
    endpoint = await new ReferenceEndpoint({ faults: { resetAll: true } }).start();
    const run = await cli(["check", "--to", endpoint.callbackUrl, "--only", "all-types-2xx,malformed-input-4xx"]);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/✗ fail {2}all-types-2xx {11}0\/9 2xx/);
    expect(run.stderr).toMatch(/^✗ no HTTP answer from http:\/\/127\.0\.0\.1:\d+\/sinch to any request: connection reset before an answer arrived\n {2}→ /);
  });

  it("an OAuth token endpoint that refuses the credentials: one line, since no callback can be sent", async () => {
    endpoint = await new ReferenceEndpoint({ oauth: { clientId: "sinch-client", clientSecret: "the-real-secret-fake" } }).start();
    const run = await cli(["check", "--to", endpoint.callbackUrl, "--oauth-token-url", endpoint.tokenUrl, "--oauth-credentials", "sinch-client:a-wrong-secret-fake"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^✗ no OAuth token, so no callback can be sent: OAuth token URL http:\/\/127\.0\.0\.1:\d+\/oauth\/token answered HTTP 401 invalid_client/);
    expect(run.stderr).toMatch(/→ check the OAuth client id and secret\n$/);
    expect(run.stdout + run.stderr).not.toContain("a-wrong-secret-fake");
    expect(endpoint.received).toEqual([]);
  });

  it("a query string in the target is never printed (it may hold a token)", async () => {
    const port = await closedPort();
    const run = await cli(["check", "--to", `http://user:pw-fake-123@127.0.0.1:${port}/sinch?token=tok-fake-456`]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`http://127.0.0.1:${port}/sinch?…`);
    expect(run.stderr).not.toMatch(/tok-fake-456|pw-fake-123/);
  });
});

describe("human output", () => {
  it("a simple Express-style handler that verifies JSON.stringify(req.body): a readable table, and a clear reason", async () => {
    // What many handlers look like: express.json() parses first, then the official SDK is handed the
    // parsed object — which it re-serialises with JSON.stringify before computing the HMAC.
    const url = await serve(async (req, res) => {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch {
        res.writeHead(400).end("bad json");
        return;
      }
      const ok = new SmsCallbackWebhooks(SECRET).validateAuthenticationHeader(req.headers as Record<string, string>, body as object);
      res.writeHead(ok ? 200 : 401).end(ok ? "ok" : "invalid signature");
    });
    const run = await cli(["check", "--to", url, "--hmac-secret", SECRET]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("");
    const out = run.stdout;
    expect(out).toMatch(/^sinch-hooks check → http:\/\/127\.0\.0\.1:\d+\/sinch\n {2}auth HMAC · budget 2000 ms · timeout 10 s\n\n/);
    const rows = out.split("\n").filter((l) => /^ {2}[✓✗!-] (pass|fail|warn|skip) /.test(l));
    expect(rows.map((r) => r.slice(2, 8) + " " + r.slice(10).split(/\s+/)[0])).toEqual([
      "✓ pass all-types-2xx",
      "! warn hmac-refuses-forgeries",
      "! warn hmac-freshness",
      "✗ fail raw-body-fidelity",
      "✓ pass idempotency",
      "✓ pass out-of-order-reports",
      "✓ pass forward-compat",
      "✓ pass malformed-input-4xx",
      "- skip credentials",
    ]);
    expect(out).toMatch(/✗ fail {2}raw-body-fidelity {7}3\/6 formats accepted \(200 ×3, 401 ×3\)/);
    const block = out.slice(out.indexOf("\n✗ raw-body-fidelity\n"));
    expect(block).toMatch(/ {2}· extra whitespace \(tabs, CRLF, spaces around : and ,\): 401 in .* → dropped for good \(a 4xx other than 429 is final for Sinch\) — body: invalid signature\n/);
    expect(block).toMatch(/ {2}Why: The compact body was accepted, but 3 other formattings were refused .*JSON\.stringify\(req\.body\).*compute the HMAC over the raw body/);
    expect(out).toMatch(/\n5 passed · 1 failed · 2 warnings · 1 skipped in \d+\.\d s, exit 1\n$/);
    expect(out).not.toContain("\u001b[");
  });

  it("the same handler, verifying the raw body string instead, passes raw-body-fidelity", async () => {
    const url = await serve(async (req, res) => {
      const raw = await readBody(req);
      const ok = new SmsCallbackWebhooks(SECRET).validateAuthenticationHeader(req.headers as Record<string, string>, raw);
      if (!ok) return void res.writeHead(401).end();
      try {
        JSON.parse(raw);
      } catch {
        return void res.writeHead(400).end();
      }
      res.writeHead(200).end();
    });
    const run = await cli(["check", "--to", url, "--hmac-secret", SECRET, "--only", "raw-body-fidelity"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✓ pass {2}raw-body-fidelity {7}6\/6 formats accepted \(200 ×6\)/);
  });

  it("an interrupted run skips what is left and exits 130", async () => {
    endpoint = await new ReferenceEndpoint().start();
    const ac = new AbortController();
    ac.abort();
    const run = await cli(["check", "--to", endpoint.callbackUrl, "--json"], { signal: ac.signal });
    expect(run.code).toBe(130);
    const report = parseReport(run.stdout);
    expect(report.checks.every((c) => c.verdict === "skip" && c.details[0] === "interrupted (Ctrl-C)")).toBe(true);
    expect(endpoint.received).toEqual([]);
  });
});

describe("secrets are never printed", () => {
  it("not even when the endpoint echoes every request header back in its error body", async () => {
    const password = "basic-password-fake-789";
    const apiKey = "api-key-fake-0123456789";
    // The credential-bearing headers come first, so they fall well inside the quoted part of the body.
    const url = await serve(async (req, res) => {
      await readBody(req);
      res.writeHead(500, { "content-type": "text/plain" }).end(`boom ${req.headers.authorization ?? "-"} ${String(req.headers["x-api-key"])}`);
    });
    for (const json of [true, false]) {
      const run = await cli(["check", "--to", url, "--hmac-secret", SECRET, "--basic-auth", `sinch:${password}`, "--header", `X-Api-Key: ${apiKey}`, ...(json ? ["--json"] : [])]);
      expect(run.code).toBe(1);
      const everything = run.stdout + run.stderr;
      expect(everything).toContain("body: "); // the echoes were shown…
      for (const secret of [SECRET, password, apiKey, Buffer.from(`sinch:${password}`).toString("base64")]) expect(everything).not.toContain(secret); // …with the secrets blanked
      expect(everything).toMatch(/body: boom (Basic )?••• •••/);
      // Nothing that decodes to the password either (a wrong-password header is Base64 of a string that contains it).
      for (const token of everything.match(/[A-Za-z0-9+/]{16,}={0,2}/g) ?? []) expect(Buffer.from(token, "base64").toString("latin1")).not.toContain(password);
    }
  });
});

describe("--json and --junit", () => {
  it("--json is one document with every check, probe and the exit code", async () => {
    endpoint = await new ReferenceEndpoint({ hmacSecret: SECRET, faults: { duplicate500: true } }).start();
    const run = await cli(["check", "--to", endpoint.callbackUrl, "--hmac-secret", SECRET, "--json"]);
    expect(run.code).toBe(1);
    const report = parseReport(run.stdout);
    expect(report).toMatchObject({ auth: "HMAC", budget_ms: 2000, strict: false, exit_code: 1, summary: { pass: 6, fail: 1, warn: 1, skip: 1 } });
    const idempotency = byName(report).idempotency!;
    expect(idempotency).toMatchObject({ verdict: "fail", fails_run: true, figure: { status: 500 } });
    expect(idempotency.figure.latency_ms).toBeGreaterThan(0);
    expect(idempotency.probes).toHaveLength(8);
  });

  it("--junit writes a report CI can read: one testcase per check, failures, skips and warnings", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-check-"));
    dirs.push(dir);
    endpoint = await new ReferenceEndpoint({ hmacSecret: SECRET, faults: { reserialize: true, unknownType400: true } }).start();
    const run = await cli(["check", "--to", endpoint.callbackUrl, "--hmac-secret", SECRET, "--junit", "report.xml", "--strict"], { cwd: dir });
    expect(run.code).toBe(1);
    const root = parseXml(await readFile(join(dir, "report.xml"), "utf8"));
    expect(root.name).toBe("testsuites");
    const [suite] = childrenNamed(root, "testsuite");
    expect(suite!.attrs).toMatchObject({ name: "sinch-hooks check", tests: "9", failures: "2", errors: "0", skipped: "1" });
    const props = Object.fromEntries(childrenNamed(childrenNamed(suite!, "properties")[0]!, "property").map((p) => [p.attrs.name, p.attrs.value]));
    expect(props).toMatchObject({ auth: "HMAC", budget_ms: "2000", strict: "true" });
    expect(props.target).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sinch$/);
    const cases = childrenNamed(suite!, "testcase");
    expect(cases.map((c) => c.attrs.name)).toEqual(CHECK_NAMES);
    const byCase = Object.fromEntries(cases.map((c) => [c.attrs.name!, c]));
    // A failure: its figure as the message, details and explanation as the text.
    const raw = childrenNamed(byCase["raw-body-fidelity"]!, "failure")[0]!;
    expect(raw.attrs).toEqual({ type: "fail", message: "3/6 formats accepted (200 ×3, 401 ×3)" });
    expect(raw.text).toMatch(/^extra whitespace \(tabs, CRLF, spaces around : and ,\): 401/);
    expect(raw.text).toMatch(/re-serialised body \(JSON\.stringify\(req\.body\)/);
    // A warning under --strict fails; the advisory hmac-freshness never does.
    expect(childrenNamed(byCase["forward-compat"]!, "failure")[0]!.attrs).toEqual({ type: "warn", message: "extra field 200 · new code 200 · unknown type 400" });
    expect(childrenNamed(byCase["hmac-freshness"]!, "failure")).toEqual([]);
    expect(childrenNamed(byCase["hmac-freshness"]!, "system-out")[0]!.text).toMatch(/^warn: stale: accepted 200/);
    expect(childrenNamed(byCase.credentials!, "skipped")[0]!.attrs.message).toMatch(/^no Basic or OAuth credentials/);
    expect(childrenNamed(byCase["all-types-2xx"]!, "system-out")[0]!.text).toMatch(/^pass: 9\/9 2xx/);
    for (const c of cases) expect(Number(c.attrs.time)).toBeGreaterThanOrEqual(0);
  });

  it("the XML stays well-formed whatever the endpoint sends back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-check-"));
    dirs.push(dir);
    const url = await serve(async (req, res) => {
      await readBody(req);
      res.writeHead(500).end(`<oops> & "quotes" ' ]]> \u0001\u0007 </testcase> 👋`);
    });
    const run = await cli(["check", "--to", url, "--only", "all-types-2xx", "--junit", join(dir, "r.xml")]);
    expect(run.code).toBe(1);
    const root = parseXml(await readFile(join(dir, "r.xml"), "utf8"));
    const failure = childrenNamed(childrenNamed(childrenNamed(root, "testsuite")[0]!, "testcase")[0]!, "failure")[0]!;
    expect(failure.text).toContain(`<oops> & "quotes" ' ]]>`);
    expect(failure.text).toContain("👋");
  });
});
