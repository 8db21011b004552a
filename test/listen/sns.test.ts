/**
 * Callbacks delivered through AWS SNS (issue #6), end to end through a real listener: SNS envelopes are
 * verified and unwrapped, then treated exactly like a direct Sinch callback.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { listen, type Listener, type ListenEvent, type ListenOptions } from "../../src/listen/index.js";
import { renderHuman } from "../../src/listen/output.js";
import type { Recording } from "../../src/listen/recording.js";
import { createTheme } from "../../src/render/theme.js";
import { SUBSCRIBE_URL, SUBSCRIPTION_ARN, confirmXml, countingFetcher, signedControl, signedNotification, snsHeaders } from "../helpers/sns-fake-aws.js";
import { TargetServer } from "../helpers/target-server.js";

const MO = JSON.stringify({ type: "mo_text", id: "01JFAKESNS0000000000000001", from: "+15550100001", to: "+15550100002", body: "via SNS 👋", received_at: "2026-11-27T12:00:00Z" });

let listener: Listener | undefined;
let target: TargetServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await listener?.close(500);
  listener = undefined;
  await target?.stop();
  target = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function start(extra: Partial<ListenOptions> = {}, confirmCalls: string[] = []): Promise<{ url: string; events: ListenEvent[]; certCalls: string[] }> {
  const events: ListenEvent[] = [];
  const certs = countingFetcher();
  listener = await listen(
    {
      host: "127.0.0.1",
      port: 0,
      maxBodyBytes: 1 << 20,
      forwardTimeoutMs: 2_000,
      redact: false,
      oauthTokenTtlSeconds: 60,
      strictSchema: false,
      ...extra,
      sns: {
        fetchCert: certs.fetchCert,
        fetchConfirm: async (url) => {
          confirmCalls.push(url);
          return { status: 200, body: confirmXml(SUBSCRIPTION_ARN) };
        },
        ...extra.sns,
      },
    },
    (e) => events.push(e),
  );
  return { url: listener.url, events, certCalls: certs.calls };
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const res = await request(url, { method: "POST", body, headers });
  await res.body.dump();
  return res.statusCode;
}

const callbacks = (events: ListenEvent[]) => events.filter((e): e is Extract<ListenEvent, { event: "callback" }> => e.event === "callback");

describe("listen: SNS", () => {
  it("verifies and unwraps a Notification, then validates, forwards and records the inner callback", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-sns-"));
    dirs.push(dir);
    target = await new TargetServer().start();
    const { url, events, certCalls } = await start({ forwardTo: new URL(target.url), recordDir: dir });
    const doc = signedNotification(MO);
    expect(await post(`${url}/sns`, JSON.stringify(doc), snsHeaders(doc))).toBe(200);
    const [cb] = callbacks(events);
    expect(cb?.decision.type).toBe("mo_text");
    expect(cb?.decision.validation?.ok).toBe(true);
    expect(cb?.sns).toMatchObject({ verified: true, messageType: "Notification", topicArn: doc.TopicArn });
    expect(certCalls).toHaveLength(1);
    // The app gets the Sinch callback itself, byte for byte, without SNS headers.
    expect(target.received[0]?.body.toString()).toBe(MO);
    expect(target.received[0]?.headers["x-amz-sns-message-type"]).toBeUndefined();
    expect(target.received[0]?.headers["content-type"]).toBe("application/json");
    await listener!.close();
    const [file] = await readdir(dir);
    const rec = JSON.parse(await readFile(join(dir, file!), "utf8")) as Recording;
    expect(rec.body).toBe(MO);
    expect(rec.sns).toMatchObject({ verified: true, topic_arn: doc.TopicArn });
    // Shown as readably as a direct callback, and marked as arrived through SNS.
    const text = renderHuman(cb!, createTheme(false), { redact: false, verbose: false });
    expect(text).toContain("mo_text +15550100001 → +15550100002");
    expect(text).toMatch(/arrived through SNS/);
  });

  it("--sns-forward envelope forwards SNS's request as it came", async () => {
    target = await new TargetServer().start();
    const { url } = await start({ forwardTo: new URL(target.url), sns: { forward: "envelope" } });
    const doc = signedNotification(MO);
    await post(url, JSON.stringify(doc), snsHeaders(doc));
    expect(target.received[0]?.body.toString()).toBe(JSON.stringify(doc));
    expect(target.received[0]?.headers["x-amz-sns-message-type"]).toBe("Notification");
  });

  it("refuses a tampered notification with 403 and the reason, and forwards nothing", async () => {
    target = await new TargetServer().start();
    const { url, events } = await start({ forwardTo: new URL(target.url) });
    const doc = signedNotification(MO);
    const tampered = { ...doc, Message: MO.replace("via SNS", "forged") };
    expect(await post(url, JSON.stringify(tampered), snsHeaders(tampered))).toBe(403);
    const e = events.find((x) => x.event === "sns");
    expect(e?.event === "sns" && e.kind).toBe("refused");
    expect(e?.event === "sns" && e.message).toMatch(/signature/i);
    expect(target.received).toHaveLength(0);
  });

  it("refuses an envelope whose certificate URL is not on an AWS host, without fetching it", async () => {
    const { url, certCalls } = await start();
    const doc = signedNotification(MO, { SigningCertURL: "https://evil.example/cert.pem" });
    expect(await post(url, JSON.stringify(doc), snsHeaders(doc))).toBe(403);
    expect(certCalls).toEqual([]);
  });

  it("refuses a malformed envelope with 400", async () => {
    const { url } = await start();
    expect(await post(url, "this is not an SNS envelope", { "x-amz-sns-message-type": "Notification", "content-type": "text/plain" })).toBe(400);
  });

  it("confirms a subscription automatically, or prints the URL with --sns-confirm manual", async () => {
    const calls: string[] = [];
    const { url, events } = await start({}, calls);
    const doc = signedControl("SubscriptionConfirmation");
    expect(await post(url, JSON.stringify(doc), snsHeaders(doc))).toBe(200);
    expect(calls).toEqual([SUBSCRIBE_URL]);
    const e = events.find((x) => x.event === "sns");
    expect(e?.event === "sns" && e.confirmation?.outcome).toBe("confirmed");
    await listener!.close();

    const manualCalls: string[] = [];
    const manual = await start({ sns: { confirm: "manual" } }, manualCalls);
    expect(await post(manual.url, JSON.stringify(doc), snsHeaders(doc))).toBe(200);
    expect(manualCalls).toEqual([]);
    const m = manual.events.find((x) => x.event === "sns");
    expect(m?.event === "sns" && m.confirmation?.outcome).toBe("manual");
    expect(m?.event === "sns" && m.message).toContain("https://sns.us-east-1.amazonaws.com/");
  });

  it("shows an UnsubscribeConfirmation and does nothing else", async () => {
    const calls: string[] = [];
    const { url, events } = await start({}, calls);
    const doc = signedControl("UnsubscribeConfirmation");
    expect(await post(url, JSON.stringify(doc), snsHeaders(doc))).toBe(200);
    expect(calls).toEqual([]);
    expect(events.map((e) => (e.event === "sns" ? e.kind : e.event))).toEqual(["unsubscribe"]);
  });

  it("handles raw message delivery (no envelope) like a direct callback, marked unsigned", async () => {
    const { url, events } = await start();
    const status = await post(url, MO, { "x-amz-sns-message-type": "Notification", "x-amz-sns-rawdelivery": "true", "x-amz-sns-topic-arn": "arn:aws:sns:us-east-1:123456789012:t", "content-type": "text/plain" });
    expect(status).toBe(200);
    const [cb] = callbacks(events);
    expect(cb?.decision.type).toBe("mo_text");
    expect(cb?.sns).toMatchObject({ rawDelivery: true, verified: false });
  });

  it("does not demand Sinch's HMAC headers on SNS deliveries, but still on direct ones", async () => {
    const { url } = await start({ hmac: { secret: "sns-hmac-fake", toleranceSeconds: 300, strict: false } });
    const doc = signedNotification(MO);
    expect(await post(url, JSON.stringify(doc), snsHeaders(doc))).toBe(200);
    expect(await post(url, MO, { "content-type": "application/json" })).toBe(401);
  });
});
