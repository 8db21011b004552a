/**
 * `listen --send-test NUMBER`: once the tunnel is up, one batch goes to the (fake) Sinch SMS API with the
 * public URL as callback_url; without a public URL it is refused before anything is sent.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runListen, type ListenFlags } from "../../src/listen/command.js";
import { fakeIo } from "../helpers/fake-io.js";
import { FakeSinchApi } from "./fake-sinch-api.js";

const TOKEN = "tok-LISTEN-SECRET-93b1";
const PLAN = "fedcba9876543210fedcba9876543210";

const flags = (over: Partial<ListenFlags> = {}): ListenFlags => ({
  host: "127.0.0.1",
  port: 0,
  maxBody: 1024 * 1024,
  signatureTolerance: 300,
  oauthTokenTtl: 3600,
  forwardTimeout: 30_000,
  tunnel: "manual",
  publicUrl: "https://fake-tunnel.example.test",
  tunnelTimeout: 2_000,
  inspect: false,
  ...over,
});

let api: FakeSinchApi;
beforeEach(async () => {
  api = await new FakeSinchApi().start();
});
afterEach(async () => {
  await api.stop();
});

describe("listen --send-test", () => {
  it("sends the batch with the public URL as callback_url once the tunnel is up", async () => {
    const io = fakeIo({ now: Date.now, env: { SINCH_SERVICE_PLAN_ID: PLAN, SINCH_API_TOKEN: TOKEN, SINCH_SMS_API_URL: api.url } });
    const ac = new AbortController();
    const running = runListen(flags({ json: true, sendTest: "+15551234567" }), io, ac.signal, "1.0.0");
    const [line] = await io.stdout.waitFor(/\{"event":"send-test".*\n/);
    ac.abort();
    expect(await running).toBe(0);
    expect(JSON.parse(line!)).toEqual({
      event: "send-test",
      ok: true,
      batch_id: "01JFAKEBATCH00000000000001",
      status: 201,
      to: ["+15551234567"],
      callback_url: "https://fake-tunnel.example.test",
    });
    expect(api.received).toHaveLength(1);
    const req = api.received[0]!;
    expect(req.url).toBe(`/xms/v1/${PLAN}/batches`);
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(req.body)).toMatchObject({ to: ["+15551234567"], callback_url: "https://fake-tunnel.example.test", delivery_report: "per_recipient" });
    // The ready line comes first, so the public URL is known before the SMS goes out.
    expect(io.stdout.text().split("\n")[0]).toMatch(/^\{"event":"ready"/);
    expect(io.stdout.text() + io.stderr.text()).not.toContain(TOKEN);
  });

  it("a refused batch is one line and a hint, and the listener keeps running", async () => {
    api.answer = { status: 401, body: JSON.stringify({ code: "unauthorized", text: "Bad token" }) };
    const io = fakeIo({ now: Date.now, env: { NO_COLOR: "1", SINCH_SERVICE_PLAN_ID: PLAN, SINCH_API_TOKEN: TOKEN, SINCH_SMS_API_URL: api.url } });
    const ac = new AbortController();
    const running = runListen(flags({ sendTest: "+15551234567" }), io, ac.signal, "1.0.0");
    await io.stderr.waitFor(/send-test/);
    const [, local] = await io.stdout.waitFor(/Local\s+(http:\/\/127\.0\.0\.1:\d+)/);
    const res = await fetch(`${local}/`, { method: "POST", body: JSON.stringify({ type: "mo_text", id: "x" }) });
    expect(res.status).toBe(200);
    ac.abort();
    expect(await running).toBe(0);
    expect(io.stderr.text()).toMatch(/✗ send-test: Sinch SMS API answered 401 Unauthorized: unauthorized — Bad token\n {2}→ check the API token/);
    expect(io.stdout.text() + io.stderr.text()).not.toContain(TOKEN);
  });

  it("is refused before anything starts when there can be no public URL", async () => {
    const io = fakeIo({ env: { SINCH_SERVICE_PLAN_ID: PLAN, SINCH_API_TOKEN: TOKEN, SINCH_SMS_API_URL: api.url } });
    await expect(runListen(flags({ tunnel: "none", publicUrl: undefined, sendTest: "+15551234567" }), io, new AbortController().signal)).rejects.toMatchObject({
      exitCode: 2,
      message: "--send-test needs a public URL for Sinch to call back, and --tunnel none opens none",
    });
    expect(api.received).toHaveLength(0);
    expect(io.stdout.text()).toBe("");
  });

  it("checks the number and credentials before the listener starts", async () => {
    const io = fakeIo({ env: { SINCH_SERVICE_PLAN_ID: PLAN } });
    await expect(runListen(flags({ sendTest: "+15551234567" }), io, new AbortController().signal)).rejects.toMatchObject({ exitCode: 2, message: "the Sinch API token is missing" });
    const io2 = fakeIo({ env: { SINCH_SERVICE_PLAN_ID: PLAN, SINCH_API_TOKEN: TOKEN } });
    await expect(runListen(flags({ sendTest: "call-me" }), io2, new AbortController().signal)).rejects.toMatchObject({
      exitCode: 2,
      message: '--send-test must be a phone number in international format (got "call-me")',
    });
    expect(io.stdout.text() + io2.stdout.text()).toBe("");
  });
});
