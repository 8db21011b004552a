import { request } from "undici";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { listenOptionsFromFlags, runListen, type ListenFlags } from "../../src/listen/command.js";
import { signHmac } from "../../src/sign/hmac.js";
import { fakeIo } from "../helpers/fake-io.js";
import { TargetServer, closedPort } from "../helpers/target-server.js";

const flags = (over: Partial<ListenFlags> = {}): ListenFlags => ({
  host: "127.0.0.1",
  port: 0,
  maxBody: 1024 * 1024,
  signatureTolerance: 300,
  oauthTokenTtl: 3600,
  forwardTimeout: 30_000,
  tunnel: "none",
  tunnelTimeout: 2_000,
  ...over,
});

const MO = JSON.stringify({ type: "mo_text", id: "01JFAKEMSG0000000000000001", from: "+15550100001", to: "+15550100002", body: "hi there", received_at: "2026-11-27T12:00:00Z" });

describe("listen flags", () => {
  it.each<[Partial<ListenFlags>, RegExp]>([
    [{ strictSignatures: true }, /--strict-signatures needs --hmac-secret/],
    [{ basicAuth: { user: "a", password: "b" }, oauth: { user: "c", password: "d" } }, /--basic-auth and --oauth/],
    [{ filter: ["mo_txt"] }, /--filter: unknown callback type "mo_txt"/],
    [{ respond: "abc" }, /--respond/],
    [{ tunnel: "manual" }, /--public-url/],
  ])("%j is a usage error", (over, message) => {
    expect(() => listenOptionsFromFlags(flags(over), "1.0.0")).toThrow(UsageError);
    expect(() => listenOptionsFromFlags(flags(over), "1.0.0")).toThrow(message);
  });
});

describe("runListen", () => {
  it("--json: a ready line first, then one JSON object per callback; stops cleanly on abort", async () => {
    const io = fakeIo({ now: Date.now });
    const ac = new AbortController();
    const running = runListen(flags({ json: true, hmacSecret: "cmd-secret-fake" }), io, ac.signal, "9.9.9");
    const [line] = await io.stdout.waitFor(/^\{"event":"ready".*\n/);
    const ready = JSON.parse(line!) as { local_url: string; public_url: string | null; version: string; auth: string[] };
    expect(ready.version).toBe("9.9.9");
    expect(ready.public_url).toBeNull();
    expect(ready.auth.join()).toMatch(/HMAC/);
    const sig = signHmac({ secret: "cmd-secret-fake", body: MO, nonce: "01JFAKENONCE00000000000001", timestamp: Math.floor(Date.now() / 1000) });
    const res = await request(`${ready.local_url}/sinch`, { method: "POST", body: MO, headers: { "content-type": "application/json", ...sig } });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    await io.stdout.waitFor(/"event":"callback"/);
    ac.abort();
    expect(await running).toBe(0);
    const lines = io.stdout.text().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.event)).toEqual(["ready", "callback"]);
    expect(lines[1]).toMatchObject({ type: "mo_text", valid: true, status: 200, attempt: 1, sinch: { outcome: "delivered" } });
    expect(io.stdout.text()).not.toContain("cmd-secret-fake");
    expect(io.stderr.text()).toMatch(/Stopped\. 1 callback received/);
  });

  it("human output: banner, local-only notice, one readable block per callback", async () => {
    const io = fakeIo({ now: Date.now });
    const ac = new AbortController();
    const port = await closedPort();
    const running = runListen(flags({ forwardTo: `http://127.0.0.1:${port}/app` }), io, ac.signal, "1.2.3");
    const [, url] = await io.stdout.waitFor(/Local\s+(http:\/\/127\.0\.0\.1:\d+)/);
    expect(io.stdout.text()).toMatch(/Forward\s+http:\/\/127\.0\.0\.1:\d+\/app/);
    const res = await request(`${url}/`, { method: "POST", body: MO, headers: { "content-type": "application/json" } });
    expect(res.statusCode).toBe(503);
    await res.body.dump();
    await io.stdout.waitFor(/app unreachable/);
    ac.abort();
    await running;
    const out = io.stdout.text();
    expect(out).toContain("mo_text +15550100001 → +15550100002");
    expect(out).toContain("→ Sinch retries in 5 s (retry 1 of 15)");
    expect(out).toContain("answered 503 so Sinch retries");
    expect(out.includes("\u001b[")).toBe(false); // not a TTY: no colour
  });

  it("--filter hides other types but still answers them", async () => {
    const io = fakeIo({ now: Date.now });
    const ac = new AbortController();
    const running = runListen(flags({ json: true, filter: ["recipient_delivery_report_sms"] }), io, ac.signal);
    const [line] = await io.stdout.waitFor(/^\{"event":"ready".*\n/);
    const { local_url } = JSON.parse(line!) as { local_url: string };
    const res = await request(local_url, { method: "POST", body: MO });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    ac.abort();
    await running;
    expect(io.stdout.text()).not.toContain('"event":"callback"');
    expect(io.stderr.text()).toMatch(/1 callback received/);
  });

  it("forwards through the CLI path to a real app", async () => {
    const target = await new TargetServer([{ kind: "status", status: 200 }]).start();
    try {
      const io = fakeIo({ now: Date.now });
      const ac = new AbortController();
      const running = runListen(flags({ json: true, forwardTo: target.url }), io, ac.signal);
      const [line] = await io.stdout.waitFor(/^\{"event":"ready".*\n/);
      const { local_url } = JSON.parse(line!) as { local_url: string };
      const res = await request(`${local_url}/sinch/sms`, { method: "POST", body: MO });
      await res.body.dump();
      expect(res.statusCode).toBe(200);
      expect(target.received[0]?.url).toBe("/sinch/sms");
      ac.abort();
      await running;
    } finally {
      await target.stop();
    }
  });
});
