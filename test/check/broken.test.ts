/**
 * The failing side of every check: one deliberately broken endpoint per check, each a realistic mistake,
 * each proving that its check can fail, and that it says why in terms of what Sinch would do.
 */
import { SmsCallbackWebhooks } from "@sinch/sms";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { byName, cli, parseReport, type JsonCheck } from "./cli.js";
import { ReferenceEndpoint, type ReferenceOptions } from "./reference-endpoint.js";

const SECRET = "broken-hmac-secret-fake";
const BASIC = { user: "sinch", password: "broken-basic-password-fake" };
const OAUTH = { clientId: "sinch-client", clientSecret: "broken-oauth-secret-fake" };

let endpoint: ReferenceEndpoint | undefined;
let server: Server | undefined;
afterEach(async () => {
  await endpoint?.stop();
  endpoint = undefined;
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
  }
});

async function runOne(check: string, options: ReferenceOptions, extra: string[] = []): Promise<{ code: number; check: JsonCheck; stdout: string }> {
  endpoint = await new ReferenceEndpoint(options).start();
  const args = ["check", "--to", endpoint.callbackUrl, "--only", check, "--json", ...extra];
  if (options.hmacSecret) args.push("--hmac-secret", options.hmacSecret);
  if (options.basic) args.push("--basic-auth", `${options.basic.user}:${options.basic.password}`);
  if (options.oauth) args.push("--oauth-token-url", endpoint.tokenUrl, "--oauth-credentials", `${options.oauth.clientId}:${options.oauth.clientSecret}`);
  const run = await cli(args);
  expect(run.stderr).toBe("");
  const report = parseReport(run.stdout);
  expect(report.checks).toHaveLength(1);
  return { code: run.code, check: report.checks[0]!, stdout: run.stdout };
}

const statuses = (c: JsonCheck): [string, number | null][] => c.probes.map((p) => [p.label, p.status]);

describe("each check fails against the endpoint that makes its mistake", () => {
  it("raw-body-fidelity: a verifier that re-serialises the parsed JSON refuses real formatting", async () => {
    const { code, check } = await runOne("raw-body-fidelity", { hmacSecret: SECRET, faults: { reserialize: true } });
    expect(code).toBe(1);
    expect(check.verdict).toBe("fail");
    // JSON.stringify(JSON.parse(raw)) survives compact bodies, raw UTF-8 and key order (JS keeps
    // insertion order), and breaks on whitespace, \/ and \u escapes.
    expect(statuses(check)).toEqual([
      ["compact (as Sinch sends it)", 200],
      ["extra whitespace (tabs, CRLF, spaces around : and ,)", 401],
      ["escaped slashes (\\/)", 401],
      ["\\u escapes for non-ASCII text", 401],
      ["raw non-ASCII UTF-8", 200],
      ["unusual key order (type last)", 200],
    ]);
    expect(check.figure.text).toBe("3/6 formats accepted (200 ×3, 401 ×3)");
    expect(check.details).toHaveLength(3);
    expect(check.details[0]).toMatch(/^extra whitespace .*: 401 in .* → dropped for good/);
    expect(check.explanation).toMatch(/hashes a re-serialised body \(JSON\.stringify\(req\.body\)/);
    expect(check.explanation).toMatch(/a 4xx is final, so Sinch drops the callback for good/);
    expect(check.explanation).toMatch(/compute the HMAC over the raw body as received/);
  });

  it("hmac-refuses-forgeries: an endpoint that never checks the signature accepts every forgery", async () => {
    const { code, check } = await runOne("hmac-refuses-forgeries", { hmacSecret: SECRET, faults: { noSignatureCheck: true } });
    expect(code).toBe(1);
    expect(check.verdict).toBe("fail");
    expect(check.figure.text).toBe("0/6 forgeries refused (200 ×6) · valid 200");
    expect(check.probes.map((p) => p.verdict)).toEqual(["pass", "fail", "fail", "fail", "fail", "fail", "warn"]);
    expect(check.explanation).toMatch(/answered 2xx to 5 requests whose signature cannot be valid, so anyone who knows the URL can post fake/);
    // The algorithm header alone is treated more gently: the official SDKs ignore it too.
    expect(check.explanation).toMatch(/official Node and Python SDKs ignore that header too/);
  });

  it("hmac-refuses-forgeries: an endpoint built on the official Node SDK only warns (it ignores the algorithm header)", async () => {
    // An Express-style handler using @sinch/sms with the raw body string, as the SDK asks.
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const ok = new SmsCallbackWebhooks(SECRET).validateAuthenticationHeader(req.headers as Record<string, string>, Buffer.concat(chunks).toString("utf8"));
        res.writeHead(ok ? 200 : 401).end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const run = await cli(["check", "--to", `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, "--hmac-secret", SECRET, "--only", "hmac-refuses-forgeries", "--json"]);
    const check = parseReport(run.stdout).checks[0]!;
    expect(check.verdict).toBe("warn");
    expect(run.code).toBe(0);
    expect(check.probes.find((p) => p.verdict === "warn")!.label).toBe("no x-sinch-webhook-signature-algorithm header");
    expect(check.details).toHaveLength(1);
    // And with --strict the warning fails the run.
    const strict = await cli(["check", "--to", `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, "--hmac-secret", SECRET, "--only", "hmac-refuses-forgeries", "--strict"]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain("(fails the run: --strict)");
  });

  it("hmac-refuses-forgeries: a wrong secret on the endpoint's side refuses the valid signature too", async () => {
    endpoint = await new ReferenceEndpoint({ hmacSecret: "a-different-secret-fake" }).start();
    const run = await cli(["check", "--to", endpoint.callbackUrl, "--hmac-secret", SECRET, "--only", "hmac-refuses-forgeries", "--json"]);
    const check = parseReport(run.stdout).checks[0]!;
    expect(check.verdict).toBe("fail");
    expect(check.explanation).toMatch(/correctly signed callback was answered 401: Sinch would drop every real callback for good\. Check that the secret/);
  });

  it("idempotency: a unique-key violation on a repeated callback is a 500", async () => {
    const { code, check } = await runOne("idempotency", { faults: { duplicate500: true } });
    expect(code).toBe(1);
    expect(check.verdict).toBe("fail");
    expect(check.probes.map((p) => p.status)).toEqual([200, 500, 200, 500, ...check.probes.slice(4).map((p) => p.status)]);
    // Concurrently, exactly one copy of each pair is stored first, the other collides.
    expect(check.probes.slice(4).map((p) => p.status).toSorted()).toEqual([200, 200, 500, 500]);
    expect(check.details[0]).toMatch(/copy 2: 500 in .* → Sinch retries in 5 s \(retry 1 of 15\) — body: Internal Server Error: duplicate key/);
    expect(check.explanation).toMatch(/on a 5xx, a 429 or no answer Sinch sends it again, up to 15 times over 22 h 45 min/);
  });

  it("idempotency: a check-then-insert race only shows when the copies arrive together", async () => {
    const { check } = await runOne("idempotency", { faults: { duplicateRace: true } });
    expect(check.verdict).toBe("fail");
    const failed = check.probes.filter((p) => p.verdict === "fail");
    expect(failed.map((p) => p.status)).toEqual([500, 500]);
    expect(failed.every((p) => p.label.includes("at once"))).toBe(true);
    expect(check.explanation).toMatch(/only when the copies arrived together — a check-then-insert race/);
  });

  it("out-of-order-reports: a state machine that throws on Dispatched after Delivered", async () => {
    const { code, check } = await runOne("out-of-order-reports", { faults: { outOfOrder500: true } });
    expect(code).toBe(1);
    expect(statuses(check)).toEqual([
      ["Delivered (final) first", 200],
      ["then Dispatched (intermediate) for the same recipient", 500],
    ]);
    expect(check.figure.text).toBe("Delivered 200 → Dispatched 500");
    expect(check.explanation).toMatch(/answered 500: on a 5xx, a 429 or no answer Sinch sends it again.*late intermediate status is normal, not an error/);
  });

  it("forward-compat: a switch on type whose default throws answers 500 to an unknown type", async () => {
    const { code, check } = await runOne("forward-compat", { faults: { unknownType500: true } });
    expect(code).toBe(1);
    expect(check.figure.text).toBe("extra field 200 · new code 200 · unknown type 500");
    expect(check.explanation).toMatch(/unknown callback type was answered 500: Sinch would retry it for 22 h 45 min although it can never succeed/);
  });

  it("forward-compat: a strict schema that refuses unknown fields loses callbacks the day Sinch adds one", async () => {
    const { check } = await runOne("forward-compat", { faults: { strictFields400: true } });
    expect(check.verdict).toBe("fail");
    expect(check.figure.text).toBe("extra field 400 · new code 200 · unknown type 200");
    expect(check.explanation).toMatch(/refused a known callback type with a field it has never seen with 400: a 4xx is final/);
  });

  it("forward-compat: refusing unknown types with a 4xx is a warning (a new type would vanish without a trace)", async () => {
    const { code, check } = await runOne("forward-compat", { faults: { unknownType400: true } });
    expect(code).toBe(0);
    expect(check.verdict).toBe("warn");
    expect(check.explanation).toMatch(/unknown callback type was refused with 400\. Sinch drops it for good, which is acceptable if you mean to ignore types/);
  });

  it("hmac-refuses-forgeries: forgeries refused with a 500 instead of a 401 are a warning", async () => {
    const { code, check } = await runOne("hmac-refuses-forgeries", { hmacSecret: SECRET, faults: { signatureFailure500: true } });
    expect(code).toBe(0);
    expect(check.verdict).toBe("warn");
    expect(check.figure.text).toBe("6/6 forgeries refused (500 ×6) · valid 200");
    expect(check.explanation).toMatch(/6 forgeries were refused, but not with a 4xx\. A 5xx or no answer tells Sinch to try again/);
  });

  it("malformed-input-4xx: an uncaught JSON.parse error is a 500, a day of retries", async () => {
    const { code, check } = await runOne("malformed-input-4xx", { hmacSecret: SECRET, faults: { badJson500: true } });
    expect(code).toBe(1);
    expect(check.figure.text).toBe("truncated JSON 500 · empty body 500");
    expect(check.explanation).toMatch(/A 5xx \(or no answer\) means a day of retries: Sinch sends the same broken bytes again up to 15 times over 22 h 45 min/);
  });

  it("malformed-input-4xx: a 200 to a body that is not JSON is a warning, which --strict turns into a failure", async () => {
    const { code, check } = await runOne("malformed-input-4xx", { faults: { badJson200: true } });
    expect(code).toBe(0);
    expect(check.verdict).toBe("warn");
    expect(check.explanation).toMatch(/answered 2xx: Sinch would count it as delivered/);
    await endpoint!.stop();
    const strict = await runOne("malformed-input-4xx", { faults: { badJson200: true } }, ["--strict"]);
    expect(strict.code).toBe(1);
    expect(strict.check.fails_run).toBe(true);
  });

  it("all-types-2xx: a deliberately slow endpoint (1500 ms) against a 300 ms budget", async () => {
    const { code, check } = await runOne("all-types-2xx", { faults: { slow: { types: ["mo_media"], ms: 1500 } } }, ["--budget-ms", "300"]);
    expect(code).toBe(1);
    expect(check.verdict).toBe("fail");
    const slow = check.probes.filter((p) => p.verdict === "fail");
    expect(slow.map((p) => p.label)).toEqual(["mo_media"]);
    expect(slow[0]!.latency_ms).toBeGreaterThanOrEqual(1400);
    expect(check.details).toEqual([expect.stringMatching(/^mo_media: 200 in \d+ ms → delivered — body: .* — over the 300 ms budget$/)]);
    expect(check.figure.text).toMatch(/^9\/9 2xx · 1 over 300 ms · slowest \d+ ms$/);
    expect(check.explanation).toMatch(/slower than the 300 ms budget \(--budget-ms\)\. Sinch documents no timeout for SMS callbacks \(Voice callbacks document 5 s\)/);
  });

  it("all-types-2xx: an endpoint that never answers one type is cut off by --timeout, and Sinch would retry", async () => {
    const { check } = await runOne("all-types-2xx", { faults: { hang: { types: ["mo_binary"] } } }, ["--budget-ms", "300", "--timeout", "800ms"]);
    expect(check.verdict).toBe("fail");
    const hung = check.probes.find((p) => p.label === "mo_binary")!;
    expect(hung.status).toBeNull();
    expect(hung.note).toMatch(/no answer after \d+ ms \(no answer within the timeout\) → Sinch retries in 5 s, as for a 5xx \(assumption/);
    expect(check.explanation).toMatch(/On a 5xx, a 429 or no answer Sinch retries a callback up to 15 times/);
  });

  it("credentials: Basic that only checks a header is present lets anyone in", async () => {
    const { code, check } = await runOne("credentials", { basic: BASIC, faults: { acceptAnyCredentials: true } });
    expect(code).toBe(1);
    expect(statuses(check)).toEqual([
      ["Basic, right user and password", 200],
      ["no Authorization header", 401],
      ["Basic, wrong password", 200],
      ["Basic, wrong user", 200],
    ]);
    expect(check.figure.text).toBe("Basic: 1/3 wrong refused · right accepted");
    expect(check.explanation).toMatch(/Wrong credentials were accepted \(Basic, wrong password; Basic, wrong user\), so anyone who knows the URL can post fake callbacks/);
  });

  it("credentials: OAuth that issues tokens to anyone and accepts any bearer token", async () => {
    const { check } = await runOne("credentials", { oauth: OAUTH, faults: { acceptAnyCredentials: true, tokenForAnySecret: true } });
    expect(check.verdict).toBe("fail");
    expect(statuses(check)).toEqual([
      ["token request, right client credentials", null],
      ["token request, wrong client secret", 200],
      ["callback with the fresh bearer token", 200],
      ["no Authorization header", 401],
      ["made-up bearer token", 200],
    ]);
    expect(check.details).toContain(check.probes[1]!.note);
    expect(check.probes[1]!.note).toMatch(/^token request, wrong client secret: 200 in .* — a token was issued for a wrong secret$/);
  });

  it("hmac-freshness: an endpoint that refuses stale and replayed signatures gets a warning, not a failure", async () => {
    const { code, check } = await runOne("hmac-freshness", { hmacSecret: SECRET, faults: { strictFreshness: true } }, ["--strict"]);
    expect(code).toBe(0);
    expect(check.verdict).toBe("warn");
    expect(check.fails_run).toBe(false);
    expect(check.explanation).toMatch(/refused \(401\)\. That stops replays.*a 4xx is final: the callback is lost/);
  });
});

describe("a check whose premise fails says so instead of blaming the wrong thing", () => {
  it("everything is refused (credentials missing): forward-compat and idempotency point at the refused control", async () => {
    endpoint = await new ReferenceEndpoint({ basic: BASIC }).start();
    const run = await cli(["check", "--to", endpoint.callbackUrl, "--json", "--only", "all-types-2xx,idempotency,forward-compat"]);
    expect(run.code).toBe(1);
    const checks = byName(parseReport(run.stdout));
    expect(checks["all-types-2xx"]!.details).toEqual([
      expect.stringMatching(/^9 × \(mo_text, mo_binary, .*recipient_delivery_report_mms\): 401 in .* → dropped for good/),
      expect.stringMatching(/401\/403 with no credentials configured: if the endpoint requires them, pass the ones Sinch uses/),
    ]);
    expect(checks["forward-compat"]!.explanation).toMatch(/A plain, valid mo_text was already answered 401, so this check cannot tell/);
    expect(checks.idempotency!.explanation).toMatch(/Even the first copy of each callback was refused/);
  });
});
