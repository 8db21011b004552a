/**
 * The passing side of every check: the reference endpoint in this folder, and `listen` itself (which
 * verifies HMAC over the raw bytes, answers 400 to bad JSON and 200 to unknown types), each configured
 * the ways Sinch can be (HMAC with Basic, HMAC with OAuth 2.0, nothing at all).
 */
import { afterEach, describe, expect, it } from "vitest";
import { CHECK_NAMES } from "../../src/check/registry.js";
import { listen, type Listener } from "../../src/listen/index.js";
import { byName, cli, parseReport } from "./cli.js";
import { ReferenceEndpoint } from "./reference-endpoint.js";

const SECRET = "ref-hmac-secret-fake";
const BASIC = { user: "sinch", password: "ref-basic-password-fake" };
const OAUTH = { clientId: "sinch-client", clientSecret: "ref-oauth-secret-fake" };

let endpoint: ReferenceEndpoint | undefined;
let listener: Listener | undefined;
afterEach(async () => {
  await endpoint?.stop();
  endpoint = undefined;
  await listener?.close(1_000);
  listener = undefined;
});

/** Every check passes, except hmac-freshness, which is a warning by design whichever way the endpoint answers. */
function expectAllPass(stdout: string): void {
  const report = parseReport(stdout);
  expect(report.checks.map((c) => c.name)).toEqual(CHECK_NAMES);
  for (const check of report.checks) {
    const expected = check.name === "hmac-freshness" ? "warn" : "pass";
    expect({ name: check.name, verdict: check.verdict, details: check.verdict === expected ? [] : check.details }).toEqual({ name: check.name, verdict: expected, details: [] });
  }
  expect(report.exit_code).toBe(0);
}

describe("the reference endpoint passes every check", () => {
  it("with HMAC and Basic: every probe gets the answer it should", async () => {
    endpoint = await new ReferenceEndpoint({ hmacSecret: SECRET, basic: BASIC }).start();
    const run = await cli(["check", "--to", endpoint.callbackUrl, "--hmac-secret", SECRET, "--basic-auth", `${BASIC.user}:${BASIC.password}`, "--json"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expectAllPass(run.stdout);
    const checks = byName(parseReport(run.stdout));
    // The refusals really were refusals, and with a 4xx.
    expect(checks["hmac-refuses-forgeries"]!.probes.slice(1).map((p) => p.status)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(checks["malformed-input-4xx"]!.probes.map((p) => p.status)).toEqual([400, 400]);
    expect(checks.credentials!.probes.map((p) => [p.label, p.status])).toEqual([
      ["Basic, right user and password", 200],
      ["no Authorization header", 401],
      ["Basic, wrong password", 401],
      ["Basic, wrong user", 401],
    ]);
    // The warning explains both sides.
    expect(checks["hmac-freshness"]!.figure.text).toBe("stale: accepted 200 · replay: accepted 200");
    expect(checks["hmac-freshness"]!.explanation).toMatch(/keeps Sinch's late retries.*captured request can be replayed/);
  });

  it("with HMAC and OAuth 2.0: the token round trip works and bearer tokens are required", async () => {
    endpoint = await new ReferenceEndpoint({ hmacSecret: SECRET, oauth: OAUTH }).start();
    const run = await cli([
      "check",
      "--to",
      endpoint.callbackUrl,
      "--hmac-secret",
      SECRET,
      "--oauth-token-url",
      endpoint.tokenUrl,
      "--oauth-credentials",
      `${OAUTH.clientId}:${OAUTH.clientSecret}`,
      "--json",
    ]);
    expect(run.stderr).toBe("");
    expectAllPass(run.stdout);
    const credentials = byName(parseReport(run.stdout)).credentials!;
    expect(credentials.probes.map((p) => [p.label, p.status])).toEqual([
      ["token request, right client credentials", null],
      ["token request, wrong client secret", 401],
      ["callback with the fresh bearer token", 200],
      ["no Authorization header", 401],
      ["made-up bearer token", 401],
    ]);
    expect(credentials.probes[0]!.note).toMatch(/Bearer token issued in .* \(expires in 600 s\)/);
    expect(run.stdout).not.toContain(OAUTH.clientSecret);
  });

  it("with no authentication: the checks that need a secret or credentials are skipped, with the reason", async () => {
    endpoint = await new ReferenceEndpoint().start();
    const run = await cli(["check", "--to", endpoint.callbackUrl, "--json"]);
    expect(run.code).toBe(0);
    const checks = byName(parseReport(run.stdout));
    for (const name of ["hmac-refuses-forgeries", "hmac-freshness", "raw-body-fidelity"]) {
      expect(checks[name]!.verdict).toBe("skip");
      expect(checks[name]!.details).toEqual(["no HMAC secret: pass --hmac-secret (or set SINCH_HOOKS_HMAC_SECRET)"]);
    }
    expect(checks.credentials!.details[0]).toMatch(/no Basic or OAuth credentials: pass --basic-auth, or --oauth-token-url with --oauth-credentials/);
    for (const name of ["all-types-2xx", "idempotency", "out-of-order-reports", "forward-compat", "malformed-input-4xx"]) expect(checks[name]!.verdict).toBe("pass");
  });
});

describe("listen is a reference endpoint too", () => {
  const base = { host: "127.0.0.1", port: 0, maxBodyBytes: 1024 * 1024, forwardTimeoutMs: 2_000, redact: false, oauthTokenTtlSeconds: 600, strictSchema: false };

  it("listen --hmac-secret --basic-auth passes every check", async () => {
    listener = await listen({ ...base, hmac: { secret: SECRET, toleranceSeconds: 300, strict: false }, basic: BASIC }, () => {});
    const run = await cli(["check", "--to", `${listener.url}/sinch`, "--hmac-secret", SECRET, "--basic-auth", `${BASIC.user}:${BASIC.password}`, "--json"]);
    expect(run.code).toBe(0);
    expectAllPass(run.stdout);
  });

  it("listen --oauth passes the OAuth credentials check, token round trip included", async () => {
    listener = await listen({ ...base, oauth: OAUTH }, () => {});
    const run = await cli(["check", "--to", `${listener.url}/sinch`, "--oauth-token-url", `${listener.url}/oauth/token`, "--oauth-credentials", `${OAUTH.clientId}:${OAUTH.clientSecret}`, "--json"]);
    expect(run.code).toBe(0);
    const checks = byName(parseReport(run.stdout));
    expect(checks.credentials!.verdict).toBe("pass");
    expect(checks.credentials!.explanation).toMatch(/token round trip worked/);
  });

  it("listen --strict-signatures refuses stale and replayed signatures: still only a warning, with the other side explained", async () => {
    listener = await listen({ ...base, hmac: { secret: SECRET, toleranceSeconds: 300, strict: true } }, () => {});
    const run = await cli(["check", "--to", `${listener.url}/sinch`, "--hmac-secret", SECRET, "--only", "hmac-freshness", "--strict", "--json"]);
    expect(run.code).toBe(0);
    const freshness = byName(parseReport(run.stdout))["hmac-freshness"]!;
    expect(freshness.verdict).toBe("warn");
    expect(freshness.fails_run).toBe(false);
    expect(freshness.figure.text).toBe("stale: refused 401 · replay: refused 401");
    expect(freshness.explanation).toMatch(/stops replays of captured requests; but if Sinch repeats its original signature/);
    expect(freshness.explanation).toMatch(/never as a failure, not even with --strict/);
  });
});
