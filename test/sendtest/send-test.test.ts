/**
 * `sinch-hooks send-test` through the real CLI path (main → commander → command → HTTP) against a fake
 * Sinch SMS API on loopback: what is sent, what is printed, and that the API token never is.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { batchRequest, resolveSendTest, smsApiBase } from "../../src/sendtest/index.js";
import { fakeIo, type FakeIo } from "../helpers/fake-io.js";
import { closedPort } from "../helpers/target-server.js";
import { FakeSinchApi } from "./fake-sinch-api.js";

const TOKEN = "tok-SECRET-4f1c9a7e2b";
const PLAN = "0123456789abcdef0123456789abcdef";

let api: FakeSinchApi;
beforeEach(async () => {
  api = await new FakeSinchApi().start();
});
afterEach(async () => {
  await api.stop();
});

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; io: FakeIo; out: string }> {
  const io = fakeIo({ env: { NO_COLOR: "1", ...env } });
  const code = await main(["send-test", ...args], { io, signal: new AbortController().signal });
  return { code, io, out: io.stdout.text() + io.stderr.text() };
}

const base = (): string[] => ["--service-plan-id", PLAN, "--api-token", TOKEN, "--sinch-api-url", api.url];

describe("send-test", () => {
  it("POSTs one batch with bearer auth, per-recipient reports and the callback URL, and prints the batch id", async () => {
    const r = await run(["--to", "+15551234567", "--from", "+15550009999", "--body", "hello reports", "--callback-url", "https://abc.ngrok-free.app/", ...base()]);
    expect(r.code).toBe(0);
    expect(api.received).toHaveLength(1);
    const req = api.received[0]!;
    expect(req.method).toBe("POST");
    expect(req.url).toBe(`/xms/v1/${PLAN}/batches`);
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(req.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(req.body)).toEqual({
      to: ["+15551234567"],
      from: "+15550009999",
      body: "hello reports",
      callback_url: "https://abc.ngrok-free.app/",
      delivery_report: "per_recipient",
    });
    expect(r.io.stdout.text()).toMatch(/^✓ batch 01JFAKEBATCH00000000000001 accepted \(201\): test SMS to \+15551234567; delivery reports \(per_recipient\) → https:\/\/abc\.ngrok-free\.app\/\n$/);
    expect(r.out).not.toContain(TOKEN);
  });

  it("reads credentials from SINCH_SERVICE_PLAN_ID / SINCH_API_TOKEN, leaves out from, and uses a default body", async () => {
    const r = await run(["--to", "15551234567", "--callback-url", "https://hooks.example.com/sinch", "--json"], {
      SINCH_SERVICE_PLAN_ID: PLAN,
      SINCH_API_TOKEN: TOKEN,
      SINCH_SMS_API_URL: api.url,
    });
    expect(r.code).toBe(0);
    const sent = JSON.parse(api.received[0]!.body) as Record<string, unknown>;
    expect(sent).not.toHaveProperty("from");
    expect(sent.to).toEqual(["15551234567"]);
    expect(typeof sent.body).toBe("string");
    expect(sent.delivery_report).toBe("per_recipient");
    expect(api.received[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(r.io.stdout.text())).toEqual({ batch_id: "01JFAKEBATCH00000000000001", status: 201, to: ["15551234567"], callback_url: "https://hooks.example.com/sinch" });
    expect(r.out).not.toContain(TOKEN);
  });

  it.each([
    [401, { code: "unauthorized", text: "Invalid credentials" }, /^✗ Sinch SMS API answered 401 Unauthorized: unauthorized — Invalid credentials\n {2}→ check the API token \(--api-token or SINCH_API_TOKEN\)/],
    [403, { code: "forbidden", text: "Not allowed to send to this destination" }, /^✗ Sinch SMS API answered 403 Forbidden: forbidden — Not allowed to send to this destination\n {2}→ the service plan may not send this: check --region/],
    [400, { code: "syntax_invalid_parameter_format", text: "Parameter 'to' has an invalid format" }, /^✗ Sinch SMS API answered 400 Bad Request: syntax_invalid_parameter_format — Parameter 'to' has an invalid format\n {2}→ check that --to is a full international number/],
  ])("a %i with Sinch's error body is one line and a hint, exit 3, and no token", async (status, body, expected) => {
    api.answer = { status, body: JSON.stringify(body) };
    const r = await run(["--to", "+15551234567", "--callback-url", "https://abc.ngrok-free.app", ...base()]);
    expect(r.code).toBe(3);
    expect(r.io.stdout.text()).toBe("");
    expect(r.io.stderr.text()).toMatch(expected);
    expect(r.io.stderr.text().trimEnd().split("\n")).toHaveLength(2);
    expect(r.out).not.toContain(TOKEN);
  });

  it("an error body that quotes the token still never prints it", async () => {
    api.answer = { status: 401, body: JSON.stringify({ code: "unauthorized", text: `token ${TOKEN} is not valid` }) };
    const r = await run(["--to", "+15551234567", ...base()]);
    expect(r.code).toBe(3);
    expect(r.io.stderr.text()).toContain("token •••••• is not valid");
    expect(r.out).not.toContain(TOKEN);
  });

  it("an unreachable API is exit 3 with the address", async () => {
    const port = await closedPort();
    const r = await run(["--to", "+15551234567", "--service-plan-id", PLAN, "--api-token", TOKEN, "--sinch-api-url", `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(3);
    expect(r.io.stderr.text()).toMatch(/^✗ cannot reach the Sinch SMS API at http:\/\/127\.0\.0\.1:\d+: connection refused\n/);
    expect(r.out).not.toContain(TOKEN);
  });

  it.each<[string[], Record<string, string>, RegExp]>([
    [["--to", "+15551234567", "--service-plan-id", PLAN], {}, /^✗ the Sinch API token is missing\n {2}→ pass --api-token TOKEN or set SINCH_API_TOKEN/],
    [["--to", "+15551234567", "--api-token", TOKEN], {}, /^✗ the Sinch service plan ID is missing\n {2}→ pass --service-plan-id ID or set SINCH_SERVICE_PLAN_ID/],
    [["--service-plan-id", PLAN, "--api-token", TOKEN], {}, /^✗ --to is required/],
    [["--to", "hello", "--service-plan-id", PLAN, "--api-token", TOKEN], {}, /^✗ --to must be a phone number in international format \(got "hello"\)/],
    [["--to", "+15551234567", "--service-plan-id", PLAN, "--api-token", TOKEN, "--region", "mars"], {}, /^✗ --region must be one of us, eu, au, br, ca \(got "mars"\)/],
    [["--to", "+15551234567", "--service-plan-id", PLAN, "--api-token", TOKEN, "--callback-url", "http://127.0.0.1:7462/"], {}, /^✗ --callback-url 127\.0\.0\.1:7462 is a local address that Sinch cannot reach/],
    [["--to", "+15551234567", "--service-plan-id", "../../admin", "--api-token", TOKEN], {}, /^✗ the service plan ID may only contain/],
  ])("usage error %j is one line, exit 2, nothing sent", async (args, env, expected) => {
    const r = await run(args, env);
    expect(r.code).toBe(2);
    expect(r.io.stderr.text()).toMatch(expected);
    expect(api.received).toHaveLength(0);
    expect(r.out).not.toContain(TOKEN);
  });
});

const input = (over: Record<string, string> = {}) => resolveSendTest({ to: "+15551234567", servicePlanId: PLAN, apiToken: TOKEN, ...over }, {});

describe("send-test request building", () => {

  it("uses the region's documented base URL", () => {
    expect(smsApiBase("eu")).toBe("https://eu.sms.api.sinch.com");
    const r = batchRequest(input({ region: "eu" }));
    expect(r.origin).toBe("https://eu.sms.api.sinch.com");
    expect(r.path).toBe(`/xms/v1/${PLAN}/batches`);
    expect(batchRequest(input()).origin).toBe("https://us.sms.api.sinch.com");
  });

  it("keeps a path prefix of --sinch-api-url and reads SINCH_REGION", () => {
    expect(batchRequest(input({ sinchApiUrl: "http://127.0.0.1:9/proxy/" })).path).toBe(`/proxy/xms/v1/${PLAN}/batches`);
    const r = resolveSendTest({ to: "+15551234567", servicePlanId: PLAN, apiToken: TOKEN }, { SINCH_REGION: "au" });
    expect(r.region).toBe("au");
    expect(r.apiBase).toBe("https://au.sms.api.sinch.com");
  });
});
