/**
 * replay / simulate-retries --sns-envelope (issue #6): payloads wrapped as SNS Notifications reach a real
 * listener, which verifies the test signature, unwraps them and sees the original callback.
 */
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { listen, type Listener, type ListenEvent } from "../../src/listen/index.js";
import { CERT_URL, countingFetcher } from "../helpers/sns-fake-aws.js";
import { fakeIo } from "../helpers/fake-io.js";
import { TargetServer } from "../helpers/target-server.js";
import { replay } from "./helpers.js";

const keyFile = fileURLToPath(new URL("../sns/fixtures/TEST-ONLY-sns-signing-key.pem", import.meta.url));
const moText = fileURLToPath(new URL("../../fixtures/mo_text.json", import.meta.url));

let listener: Listener | undefined;
let target: TargetServer | undefined;
afterEach(async () => {
  await listener?.close(500);
  listener = undefined;
  await target?.stop();
  target = undefined;
});

async function snsListener(): Promise<{ url: string; events: ListenEvent[] }> {
  const events: ListenEvent[] = [];
  listener = await listen(
    { host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, forwardTimeoutMs: 2_000, redact: false, oauthTokenTtlSeconds: 60, strictSchema: false, sns: { fetchCert: countingFetcher().fetchCert } },
    (e) => events.push(e),
  );
  return { url: listener.url, events };
}

describe("--sns-envelope", () => {
  it("replay: a test-signed envelope verifies at the listener and unwraps to the original callback", async () => {
    const { url, events } = await snsListener();
    const run = await replay([moText, "--to", `${url}/sns`, "--sns-envelope", "--sns-signing-key", keyFile, "--sns-cert-url", CERT_URL, "--expect", "2xx"]);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/note: /);
    const cb = events.find((e) => e.event === "callback");
    expect(cb?.event === "callback" && cb.sns?.verified).toBe(true);
    expect(cb?.event === "callback" && cb.decision.type).toBe("mo_text");
    expect(cb?.event === "callback" && cb.decision.validation?.ok).toBe(true);
  });

  it("replay: an unsigned envelope carries SNS's headers and the payload in Message, and a verifying listener refuses it", async () => {
    target = await new TargetServer().start();
    const run = await replay([moText, "--to", target.url, "--sns-envelope", "--sns-topic-arn", "arn:aws:sns:eu-west-1:123456789012:sinch"]);
    expect(run.code).toBe(0);
    const got = target.received[0]!;
    expect(got.headers["x-amz-sns-message-type"]).toBe("Notification");
    expect(got.headers["content-type"]).toMatch(/^text\/plain/);
    const envelope = JSON.parse(got.body.toString()) as { Type: string; TopicArn: string; Message: string; Signature?: string };
    expect(envelope).toMatchObject({ Type: "Notification", TopicArn: "arn:aws:sns:eu-west-1:123456789012:sinch" });
    expect(envelope.Signature).toBeUndefined();
    expect((JSON.parse(envelope.Message) as { type: string }).type).toBe("mo_text");

    const { url } = await snsListener();
    const refused = await replay([moText, "--to", url, "--sns-envelope", "--expect", "2xx"]);
    expect(refused.code).toBe(1);
  });

  it("simulate-retries: every attempt carries the same SNS MessageId", async () => {
    target = await new TargetServer([{ kind: "status", status: 500 }, { kind: "status", status: 500 }, { kind: "status", status: 200 }]).start();
    const io = fakeIo({ now: Date.now });
    const code = await main(["simulate-retries", moText, "--to", target.url, "--sns-envelope", "--expect", "delivered"], { io, signal: new AbortController().signal });
    expect(code).toBe(0);
    const ids = target.received.map((r) => r.headers["x-amz-sns-message-id"]);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
  });

  it.each([
    [["--sns-topic-arn", "arn:aws:sns:us-east-1:123456789012:t"], /--sns-topic-arn only applies with --sns-envelope/],
    [["--sns-envelope", "--sns-signing-key", "k.pem"], /--sns-signing-key and --sns-cert-url go together/],
    [["--sns-envelope", "--sns-topic-arn", "not-an-arn"], /--sns-topic-arn/],
  ])("usage errors name the flag: %j", async (flags, message) => {
    const run = await replay([moText, "--to", "http://127.0.0.1:9/x", ...flags]);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
  });
});
