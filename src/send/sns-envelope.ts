/**
 * --sns-envelope for replay and simulate-retries: wrap each callback in an SNS Notification, for apps
 * that consume Sinch callbacks from an SNS topic over HTTP (issue #6). Wrapping happens once per
 * callback, so its MessageId stays the same across retries and repeats, as SNS keeps it on redelivery.
 */
import { readFile } from "node:fs/promises";
import { UsageError, InputError } from "../errors.js";
import { parseUrl } from "../cli/parse-options.js";
import { wrapAsSnsNotification, type SnsSigning } from "../sns/wrap.js";
import type { OutgoingCallback } from "./inputs.js";

export { SNS_ENVELOPE_HELP } from "../sns/wrap.js";

export interface SnsEnvelopeFlags {
  snsEnvelope?: boolean;
  snsTopicArn?: string;
  snsSigningKey?: string;
  snsCertUrl?: string;
  snsSignatureVersion?: string;
}

export interface SnsEnvelopeConfig {
  topicArn: string;
  signing?: SnsSigning;
}

/** An obviously fake topic in a reserved-looking account, for runs that do not name one. */
export const DEFAULT_TEST_TOPIC_ARN = "arn:aws:sns:us-east-1:000000000000:sinch-hooks-test";

export async function snsEnvelopeFromFlags(flags: SnsEnvelopeFlags): Promise<SnsEnvelopeConfig | undefined> {
  const used = [flags.snsTopicArn && "--sns-topic-arn", flags.snsSigningKey && "--sns-signing-key", flags.snsCertUrl && "--sns-cert-url", flags.snsSignatureVersion && "--sns-signature-version"].filter(Boolean);
  if (!flags.snsEnvelope) {
    if (used.length) throw new UsageError(`${used[0]} only applies with --sns-envelope`, "add --sns-envelope to wrap each payload as an SNS Notification");
    return undefined;
  }
  if ((flags.snsSigningKey === undefined) !== (flags.snsCertUrl === undefined)) {
    throw new UsageError("--sns-signing-key and --sns-cert-url go together", "the certificate URL tells your app which certificate verifies the test signature");
  }
  const version = flags.snsSignatureVersion ?? "2";
  if (version !== "1" && version !== "2") throw new UsageError(`--sns-signature-version must be 1 or 2 (got "${version}")`);
  let signing: SnsSigning | undefined;
  if (flags.snsSigningKey !== undefined && flags.snsCertUrl !== undefined) {
    let pem: string;
    try {
      pem = await readFile(flags.snsSigningKey, "utf8");
    } catch (err) {
      throw new InputError(`cannot read --sns-signing-key ${flags.snsSigningKey}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, "pass the path of a PEM RSA private key");
    }
    signing = { privateKeyPem: pem, certUrl: parseUrl("--sns-cert-url", flags.snsCertUrl).toString(), version };
  }
  return { topicArn: flags.snsTopicArn ?? DEFAULT_TEST_TOPIC_ARN, signing };
}

const OPTION_FLAGS: Record<string, string> = {
  topicArn: "--sns-topic-arn",
  "signing.privateKeyPem": "--sns-signing-key",
  "signing.certUrl": "--sns-cert-url",
  "signing.version": "--sns-signature-version",
};

export function wrapCallbacksForSns(callbacks: readonly OutgoingCallback[], cfg: SnsEnvelopeConfig, nowMs: number): { callbacks: OutgoingCallback[]; note: string } {
  let note = "";
  const out = callbacks.map((c) => {
    const r = wrapAsSnsNotification(c.body, { topicArn: cfg.topicArn, timestamp: new Date(nowMs), signing: cfg.signing });
    if (!r.ok) {
      const flag = OPTION_FLAGS[r.option];
      if (flag) throw new UsageError(`${flag}: ${r.reason}`);
      throw new InputError(`${c.name}: cannot wrap as an SNS message: ${r.reason}`);
    }
    note = r.note;
    // SNS's own headers (content type text/plain, x-amz-sns-*) replace a recording's content type.
    return { ...c, name: `${c.name} (SNS)`, body: r.body, headers: { ...c.headers, ...r.headers } };
  });
  return { callbacks: out, note };
}
