/**
 * Confirming an SNS HTTP/HTTPS subscription. SNS sends nothing to a new endpoint until someone visits
 * the SubscribeURL of its SubscriptionConfirmation (or calls ConfirmSubscription with the Token)
 * (https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html). "Confirmation
 * tokens are valid for three days" (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html).
 *
 * - auto: GET the SubscribeURL, but only when it is https on sns.<region>.amazonaws.com[.cn] and is an
 *   Action=ConfirmSubscription link (urls.ts); anything else is reported as not followed, with why.
 * - manual: return the URL for the developer to open, and whether it passed the same check.
 *
 * The answer to the GET is a ConfirmSubscriptionResponse XML document whose
 * ConfirmSubscriptionResult/SubscriptionArn names the new subscription
 * (https://docs.aws.amazon.com/sns/latest/api/API_ConfirmSubscription.html); an error is an ErrorResponse
 * with Error/Code and Error/Message. Nothing here throws to its caller.
 *
 * An UnsubscribeConfirmation also carries a SubscribeURL, but visiting it *re-subscribes* the endpoint
 * (http-unsubscribe-confirmation-json.html), so it is never followed automatically.
 */
import type { Dispatcher } from "undici";
import type { SnsEnvelope } from "./envelope.js";
import { snsGet } from "./fetch.js";
import { checkSubscribeUrl, printableUrl } from "./urls.js";

export type ConfirmMode = "auto" | "manual";

export interface ConfirmFetchResponse {
  status: number;
  body: string;
}

/** GETs a URL; resolves with any HTTP answer, rejects only when no answer came. */
export type ConfirmFetch = (url: string) => Promise<ConfirmFetchResponse>;

export interface ConfirmOptions {
  mode: ConfirmMode;
  /** Needed in auto mode; createConfirmFetcher() is the real one. */
  fetchUrl?: ConfirmFetch;
}

export type ConfirmResult =
  | {
      outcome: "confirmed";
      url: string;
      status: number;
      /** From <SubscriptionArn> in AWS's answer, when present. */
      subscriptionArn?: string;
      message: string;
    }
  | {
      outcome: "manual";
      url: string;
      /** Whether the URL passed the AWS host check; print a warning next to one that did not. */
      trusted: boolean;
      message: string;
    }
  | {
      outcome: "not_followed";
      url: string;
      reason: "untrusted_url" | "not_a_subscription_confirmation" | "no_fetcher";
      message: string;
    }
  | {
      outcome: "failed";
      url: string;
      reason: "http_error" | "network";
      status?: number;
      /** AWS's Error/Code, e.g. "InvalidParameter" for an expired or already-used token. */
      awsCode?: string;
      message: string;
    };

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return XML_ENTITIES[entity] ?? whole;
  });
}

/**
 * The text of the first <name> element, or undefined. AWS's query-API answers are small and flat, so a
 * tag match is enough; no XML parser is pulled in for it.
 */
export function xmlElementText(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml);
  if (match === null) return undefined;
  const text = decodeXml(match[1]!).trim();
  return text === "" ? undefined : text;
}

function bounded(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Confirms (auto) or hands over (manual) the subscription of a SubscriptionConfirmation envelope. */
export async function confirmSubscription(envelope: SnsEnvelope, { mode, fetchUrl }: ConfirmOptions): Promise<ConfirmResult> {
  // Until it has passed the check, the URL is sender-controlled text: only its printable form is returned.
  const url = envelope.Type === "Notification" ? "" : printableUrl(envelope.SubscribeURL);
  if (envelope.Type !== "SubscriptionConfirmation") {
    return {
      outcome: "not_followed",
      url,
      reason: "not_a_subscription_confirmation",
      message:
        envelope.Type === "UnsubscribeConfirmation"
          ? "an UnsubscribeConfirmation's SubscribeURL would re-subscribe the endpoint, so it is not followed"
          : `a ${envelope.Type} has nothing to confirm`,
    };
  }

  const checked = checkSubscribeUrl(envelope.SubscribeURL);
  if (mode === "manual") {
    return checked.ok
      ? { outcome: "manual", url: checked.url.href, trusted: true, message: "open this URL to confirm the subscription (valid for 3 days)" }
      : { outcome: "manual", url, trusted: false, message: `do not open this URL: ${checked.why}` };
  }
  if (!checked.ok) {
    return { outcome: "not_followed", url, reason: "untrusted_url", message: `not confirmed automatically: ${checked.why}` };
  }
  if (fetchUrl === undefined) {
    return { outcome: "not_followed", url: checked.url.href, reason: "no_fetcher", message: "auto-confirmation needs a fetcher; open the URL to confirm" };
  }

  const href = checked.url.href;
  let response: ConfirmFetchResponse;
  try {
    response = await fetchUrl(href);
  } catch (err) {
    return { outcome: "failed", url: href, reason: "network", message: `confirmation request to ${checked.url.host} failed: ${bounded(err instanceof Error ? err.message : String(err))}` };
  }
  if (response.status < 200 || response.status > 299) {
    const awsCode = xmlElementText(response.body, "Code");
    const awsMessage = xmlElementText(response.body, "Message");
    const detail = awsCode === undefined ? "" : `: ${bounded(awsCode, 64)}${awsMessage === undefined ? "" : ` (${bounded(awsMessage)})`}`;
    return {
      outcome: "failed",
      url: href,
      reason: "http_error",
      status: response.status,
      ...(awsCode === undefined ? {} : { awsCode: bounded(awsCode, 64) }),
      message: `SNS refused the confirmation with HTTP ${response.status}${detail}`,
    };
  }
  const subscriptionArn = xmlElementText(response.body, "SubscriptionArn");
  return subscriptionArn === undefined
    ? { outcome: "confirmed", url: href, status: response.status, message: `subscription confirmed (HTTP ${response.status})` }
    : { outcome: "confirmed", url: href, status: response.status, subscriptionArn: bounded(subscriptionArn, 256), message: `subscription confirmed: ${bounded(subscriptionArn, 256)}` };
}

export interface ConfirmFetcherOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  /** undici dispatcher; the global one when omitted. */
  dispatcher?: Dispatcher;
  /** Largest answer read. Default 64 KiB (AWS's answer is under 1 KiB). */
  maxBytes?: number;
}

/**
 * The real confirmation fetcher. Like the certificate fetcher, it re-checks the URL itself and refuses
 * one outside the allowlist before any network I/O; redirects are not followed.
 */
export function createConfirmFetcher({ timeoutMs = 10_000, dispatcher, maxBytes = 64 * 1024 }: ConfirmFetcherOptions = {}): ConfirmFetch {
  return async (raw) => {
    const checked = checkSubscribeUrl(raw);
    if (!checked.ok) throw new Error(`refused to fetch: ${checked.why}`);
    return snsGet(checked.url, { timeoutMs, maxBytes, ...(dispatcher === undefined ? {} : { dispatcher }) });
  };
}
