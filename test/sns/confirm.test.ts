import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { confirmSubscription, createConfirmFetcher, xmlElementText } from "../../src/sns/confirm.js";
import type { SnsEnvelope } from "../../src/sns/envelope.js";
import {
  confirmXml,
  FakeSnsHost,
  loopbackDispatcher,
  routeOf,
  signedControl,
  signedNotification,
  SUBSCRIBE_URL,
  SUBSCRIPTION_ARN,
  type LoopbackDispatcher,
} from "../helpers/sns-fake-aws.js";

function envelope(doc: Record<string, string>): SnsEnvelope {
  return doc as unknown as SnsEnvelope;
}

const confirmation = envelope(signedControl("SubscriptionConfirmation"));

function recordingFetch(answer = { status: 200, body: confirmXml(SUBSCRIPTION_ARN) }) {
  const calls: string[] = [];
  return {
    calls,
    fetchUrl: async (url: string) => {
      calls.push(url);
      return answer;
    },
  };
}

describe("confirmSubscription against a loopback stand-in for SNS (real undici and TLS)", () => {
  let aws: FakeSnsHost;
  let loop: LoopbackDispatcher;

  beforeEach(async () => {
    aws = await new FakeSnsHost().start();
    loop = loopbackDispatcher(aws.port);
  });

  afterEach(async () => {
    await loop.agent.close();
    await aws.stop();
  });

  it("auto: GETs the SubscribeURL once and reports the SubscriptionArn from AWS's XML", async () => {
    aws.routes.set(routeOf(SUBSCRIBE_URL), { status: 200, body: confirmXml(SUBSCRIPTION_ARN) });
    const result = await confirmSubscription(confirmation, { mode: "auto", fetchUrl: createConfirmFetcher({ dispatcher: loop.agent, timeoutMs: 5_000 }) });
    expect(result).toEqual({
      outcome: "confirmed",
      url: SUBSCRIBE_URL,
      status: 200,
      subscriptionArn: SUBSCRIPTION_ARN,
      message: `subscription confirmed: ${SUBSCRIPTION_ARN}`,
    });
    expect(aws.received).toEqual([{ method: "GET", host: "sns.us-east-1.amazonaws.com", url: routeOf(SUBSCRIBE_URL) }]);
  });

  it("auto: an AWS error answer is a failure with AWS's code and message", async () => {
    aws.routes.set(routeOf(SUBSCRIBE_URL), {
      status: 400,
      body: "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid token</Message></Error></ErrorResponse>",
    });
    const result = await confirmSubscription(confirmation, { mode: "auto", fetchUrl: createConfirmFetcher({ dispatcher: loop.agent }) });
    expect(result).toEqual({
      outcome: "failed",
      url: SUBSCRIBE_URL,
      reason: "http_error",
      status: 400,
      awsCode: "InvalidParameter",
      message: "SNS refused the confirmation with HTTP 400: InvalidParameter (Invalid token)",
    });
  });

  it("the real fetcher refuses an untrusted URL before any network I/O", async () => {
    const fetchUrl = createConfirmFetcher({ dispatcher: loop.agent });
    await expect(fetchUrl("https://evil.com/?Action=ConfirmSubscription")).rejects.toThrow(/^refused to fetch: SubscribeURL host "evil.com"/);
    await expect(fetchUrl("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe")).rejects.toThrow(/not an SNS ConfirmSubscription link/);
    expect(loop.connects).toEqual([]);
    expect(aws.received).toEqual([]);
  });
});

describe("confirmSubscription rules", () => {
  it("manual: returns the URL to open and fetches nothing", async () => {
    const { fetchUrl, calls } = recordingFetch();
    const result = await confirmSubscription(confirmation, { mode: "manual", fetchUrl });
    expect(result).toEqual({ outcome: "manual", url: SUBSCRIBE_URL, trusted: true, message: "open this URL to confirm the subscription (valid for 3 days)" });
    expect(calls).toEqual([]);
  });

  it("manual: an untrusted URL is returned with a warning not to open it", async () => {
    const doc = envelope({ ...signedControl("SubscriptionConfirmation"), SubscribeURL: "https://evil.example/confirm?Action=ConfirmSubscription" });
    expect(await confirmSubscription(doc, { mode: "manual" })).toMatchObject({
      outcome: "manual",
      trusted: false,
      message: expect.stringMatching(/^do not open this URL: SubscribeURL host "evil.example"/),
    });
  });

  it("never hands back a hostile URL's control characters raw", async () => {
    const doc = envelope({ ...signedControl("SubscriptionConfirmation"), SubscribeURL: "https://evil.example/\u001b]8;;x\u0007\u009bclick" });
    const result = await confirmSubscription(doc, { mode: "manual" });
    expect(result.url).toBe("https://evil.example/\\u001b]8;;x\\u0007\\u009bclick");
    // eslint-disable-next-line no-control-regex
    expect(result.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it.each([
    "http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t",
    "https://sns.us-east-1.amazonaws.com.evil.com/?Action=ConfirmSubscription&Token=t",
    "https://evil.com@sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t",
    "https://sns.us-east-1.amazonaws.com/?Action=DeleteTopic&TopicArn=x",
  ])("auto: does not follow %s, and says why", async (url) => {
    const { fetchUrl, calls } = recordingFetch();
    const doc = envelope({ ...signedControl("SubscriptionConfirmation"), SubscribeURL: url });
    const result = await confirmSubscription(doc, { mode: "auto", fetchUrl });
    expect(result).toMatchObject({ outcome: "not_followed", reason: "untrusted_url", message: expect.stringMatching(/^not confirmed automatically: SubscribeURL/) });
    expect(calls).toEqual([]);
  });

  it("never follows an UnsubscribeConfirmation's SubscribeURL (it would re-subscribe)", async () => {
    const { fetchUrl, calls } = recordingFetch();
    const result = await confirmSubscription(envelope(signedControl("UnsubscribeConfirmation")), { mode: "auto", fetchUrl });
    expect(result).toMatchObject({ outcome: "not_followed", reason: "not_a_subscription_confirmation" });
    expect(calls).toEqual([]);
    expect(await confirmSubscription(envelope(signedNotification("x")), { mode: "auto", fetchUrl })).toMatchObject({ outcome: "not_followed" });
  });

  it("a 200 without a SubscriptionArn still counts as confirmed", async () => {
    const { fetchUrl } = recordingFetch({ status: 200, body: "<ConfirmSubscriptionResponse/>" });
    expect(await confirmSubscription(confirmation, { mode: "auto", fetchUrl })).toEqual({
      outcome: "confirmed",
      url: SUBSCRIBE_URL,
      status: 200,
      message: "subscription confirmed (HTTP 200)",
    });
  });

  it("a network failure is reported, not thrown", async () => {
    const result = await confirmSubscription(confirmation, { mode: "auto", fetchUrl: () => Promise.reject(new Error("timed out after 10000 ms")) });
    expect(result).toEqual({
      outcome: "failed",
      url: SUBSCRIBE_URL,
      reason: "network",
      message: "confirmation request to sns.us-east-1.amazonaws.com failed: timed out after 10000 ms",
    });
  });

  it("auto without a fetcher does not pretend to confirm", async () => {
    expect(await confirmSubscription(confirmation, { mode: "auto" })).toMatchObject({ outcome: "not_followed", reason: "no_fetcher" });
  });
});

describe("xmlElementText", () => {
  it("reads the first element's text and decodes entities", () => {
    expect(xmlElementText("<a><SubscriptionArn> arn:x&amp;y </SubscriptionArn></a>", "SubscriptionArn")).toBe("arn:x&y");
    expect(xmlElementText('<Code xmlns="n">Throttling</Code>', "Code")).toBe("Throttling");
    expect(xmlElementText("<SubscriptionArn></SubscriptionArn>", "SubscriptionArn")).toBeUndefined();
    expect(xmlElementText("no xml", "Code")).toBeUndefined();
  });
});
