/**
 * Offline stand-ins for the two AWS endpoints SNS handling talks to, built from real parts:
 *
 * - FakeSnsHost: a real node:https server on 127.0.0.1:0 whose TLS identity is the test certificate
 *   (SAN sns.us-east-1.amazonaws.com, sns.cn-north-1.amazonaws.com.cn). It serves .pem files and answers
 *   Action=ConfirmSubscription GETs with AWS's XML, and records every request.
 * - loopbackDispatcher(): a real undici Agent whose connector dials the FakeSnsHost for any host name,
 *   still doing full TLS verification against the test certificate for the *requested* host name.
 *   Production code takes a dispatcher like any other sinch-hooks network code; it has no loopback switch.
 *
 * Plus an SNS signer written here independently of src/sns (its own string-to-sign templates), so a
 * wrong field order in src/sns/verify.ts cannot be mirrored by the tests.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { sign } from "node:crypto";
import { Agent, buildConnector } from "undici";

const fixtures = new URL("../sns/fixtures/", import.meta.url);
export const TEST_KEY_PEM = readFileSync(new URL("TEST-ONLY-sns-signing-key.pem", fixtures), "utf8");
export const TEST_CERT_PEM = readFileSync(new URL("TEST-ONLY-sns-signing-cert.pem", fixtures), "utf8");

export const CERT_URL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem";
export const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:sinch-sms-callbacks";
export const SUBSCRIPTION_ARN = `${TOPIC_ARN}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`;
export const SUBSCRIBE_URL = `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC_ARN}&Token=2336412f37fb687f5d51e6e241d164b0533302ec696efc8f`;

export interface RecordedGet {
  method: string;
  host: string;
  url: string;
}

export type Answer = { status: number; body: string };

export class FakeSnsHost {
  readonly received: RecordedGet[] = [];
  /** path+query → answer; anything not listed gets 404. */
  readonly routes = new Map<string, Answer>();
  private server: Server;

  constructor() {
    this.server = createServer({ key: TEST_KEY_PEM, cert: TEST_CERT_PEM }, (req, res) => {
      this.received.push({ method: req.method ?? "", host: req.headers.host ?? "", url: req.url ?? "" });
      req.resume();
      const answer = this.routes.get(req.url ?? "") ?? { status: 404, body: "<ErrorResponse><Error><Code>NotFound</Code></Error></ErrorResponse>" };
      res.writeHead(answer.status, { "content-type": "text/xml" }).end(answer.body);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The path+query of a URL, as the FakeSnsHost's route key. */
export function routeOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

export interface LoopbackDispatcher {
  agent: Agent;
  /** Host names undici asked to connect to, in order. */
  connects: string[];
}

/** An undici Agent that reaches `port` on 127.0.0.1 whatever the URL's host, trusting only the test cert. */
export function loopbackDispatcher(port: number): LoopbackDispatcher {
  const connects: string[] = [];
  const connector = buildConnector({ ca: TEST_CERT_PEM });
  const agent = new Agent({
    connect: (options, callback) => {
      connects.push(options.hostname);
      // servername stays the requested host, so TLS checks the certificate against it.
      connector({ ...options, servername: options.hostname, hostname: "127.0.0.1", port: String(port) }, callback);
    },
  });
  return { agent, connects };
}

// ---------------------------------------------------------------------------------------------
// Independent SNS signer for tests

type Fields = Record<string, string>;

/** AWS's string to sign, spelled out per type from the AWS docs rather than shared with src/sns. */
export function testStringToSign(f: Fields): string {
  const line = (k: string) => `${k}\n${f[k]!}\n`;
  if (f.Type === "Notification") {
    return line("Message") + line("MessageId") + (f.Subject === undefined ? "" : line("Subject")) + line("Timestamp") + line("TopicArn") + line("Type");
  }
  return line("Message") + line("MessageId") + line("SubscribeURL") + line("Timestamp") + line("Token") + line("TopicArn") + line("Type");
}

export function signFields(f: Fields, version: "1" | "2", keyPem = TEST_KEY_PEM): string {
  return sign(version === "1" ? "sha1" : "sha256", Buffer.from(testStringToSign(f), "utf8"), keyPem).toString("base64");
}

/** A signed Notification envelope document around `message`. */
export function signedNotification(message: string, extra: Partial<Fields> = {}, version: "1" | "2" = "2"): Fields {
  const f: Fields = {
    Type: "Notification",
    MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
    TopicArn: TOPIC_ARN,
    Message: message,
    Timestamp: "2026-11-27T13:21:44.123Z",
    SignatureVersion: version,
    SigningCertURL: CERT_URL,
    UnsubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SUBSCRIPTION_ARN}`,
    ...extra,
  } as Fields;
  f.Signature = signFields(f, version);
  return f;
}

export function signedControl(type: "SubscriptionConfirmation" | "UnsubscribeConfirmation", extra: Partial<Fields> = {}, version: "1" | "2" = "1"): Fields {
  const f: Fields = {
    Type: type,
    MessageId: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
    Token: "2336412f37fb687f5d51e6e241d164b0533302ec696efc8f",
    TopicArn: TOPIC_ARN,
    Message:
      type === "SubscriptionConfirmation"
        ? `You have chosen to subscribe to the topic ${TOPIC_ARN}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
        : `You have chosen to deactivate subscription ${SUBSCRIPTION_ARN}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: SUBSCRIBE_URL,
    Timestamp: "2026-11-27T13:20:00.000Z",
    SignatureVersion: version,
    SigningCertURL: CERT_URL,
    ...extra,
  } as Fields;
  f.Signature = signFields(f, version);
  return f;
}

/** The headers SNS sends with a document (http-header.html). */
export function snsHeaders(doc: Fields, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "content-type": "text/plain; charset=UTF-8",
    "x-amz-sns-message-type": doc.Type!,
    "x-amz-sns-message-id": doc.MessageId!,
    "x-amz-sns-topic-arn": doc.TopicArn!,
    "x-amz-sns-subscription-arn": SUBSCRIPTION_ARN,
    "user-agent": "Amazon Simple Notification Service Agent",
    ...extra,
  };
}

/** A cert fetcher that serves the test certificate and counts calls. */
export function countingFetcher(pem = TEST_CERT_PEM): { fetchCert: (url: string) => Promise<string>; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetchCert: async (url) => {
      calls.push(url);
      return pem;
    },
  };
}

export function confirmXml(subscriptionArn: string): string {
  return `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <ConfirmSubscriptionResult>
    <SubscriptionArn>${subscriptionArn}</SubscriptionArn>
  </ConfirmSubscriptionResult>
  <ResponseMetadata>
    <RequestId>075ecce8-8dac-11e1-bf80-f781d96e9307</RequestId>
  </ResponseMetadata>
</ConfirmSubscriptionResponse>`;
}
