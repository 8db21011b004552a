/**
 * The one allowlist for URLs that sinch-hooks will fetch on behalf of an SNS message: the signing
 * certificate (SigningCertURL) and the subscription confirmation link (SubscribeURL). Both come from the
 * message body, which anyone who knows the public tunnel URL can post, so each is checked before any
 * network I/O and only the normalised form that passed the check is ever requested.
 *
 * The rule: `https:`, host `sns.<region>.amazonaws.com` or `sns.<region>.amazonaws.com.cn` (the China
 * regions), default port, no user-info, no backslash, whitespace or control characters.
 *
 * Sources:
 * - AWS, "Verifying the signatures of Amazon SNS messages": always fetch the certificate over HTTPS, make
 *   sure it comes from Amazon SNS, and refuse URLs outside AWS domains
 *   (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html and its
 *   "…-verify-message-signature.html" step: "Ensure the SigningCertURL is from a trusted AWS domain, for
 *   example https://sns.us-east-1.amazonaws.com").
 * - The host pattern is the one AWS's own validators use, `^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$`
 *   (aws/aws-js-sns-message-validator `defaultHostPattern`; the AWS SDK for PHP MessageValidator uses the
 *   same), applied here to the WHATWG-normalised, lower-case host. Certificate URLs must also end in `.pem`,
 *   as in the PHP SDK.
 * - China regions (`cn-north-1`, `cn-northwest-1`) are served from `amazonaws.com.cn`
 *   (https://docs.amazonaws.cn/en_us/sns/latest/dg/sns-verify-signature-of-message.html), so `.cn` is
 *   allowed. GovCloud (`sns.us-gov-west-1.amazonaws.com`) fits the main pattern. Other partitions (ISO,
 *   the European Sovereign Cloud) use other domains and are deliberately not trusted; widening the rule
 *   is one line here, with a test.
 */

const SNS_HOST = /^sns\.[a-z0-9-]{3,}\.amazonaws\.com(?:\.cn)?$/;
// Checked on the raw text because parsers disagree on them: WHATWG URL strips tabs and newlines and
// reads "\" as "/", other URL parsers do not. Refusing them keeps "what we checked" and "what an app or
// proxy would fetch" the same URL.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[\u0000-\u0020\u007f-\u009f\\]/;

export type UrlCheck = { ok: true; url: URL } | { ok: false; why: string };

export interface SnsUrlRules {
  /** What the URL is, for the message: "SigningCertURL", "SubscribeURL". */
  label: string;
  /** Certificate URLs must name a .pem file. */
  pemPath?: boolean;
  /** The query must carry Action=<this> (SubscribeURL: ConfirmSubscription). */
  action?: string;
}

/**
 * A URL from a message made safe to print: control characters written as \uXXXX escapes (C0, DEL and
 * C1 alike; JSON.stringify would leave DEL and C1 alone, and some terminals act on U+009B), and the
 * length bounded.
 */
export function printableUrl(raw: string, max = 2048): string {
  const cut = raw.length > max ? `${raw.slice(0, max)}…` : raw;
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function shown(raw: string): string {
  // Enough to recognise the URL, bounded so a hostile value cannot flood a terminal line.
  return `"${printableUrl(raw, 120)}"`;
}

/** Checks a URL from an SNS message against the AWS SNS host rule; `why` is one sentence when it fails. */
export function checkSnsUrl(raw: string, rules: SnsUrlRules): UrlCheck {
  const { label } = rules;
  if (typeof raw !== "string" || raw === "") return { ok: false, why: `${label} is empty` };
  if (UNSAFE_CHARACTERS.test(raw)) {
    return { ok: false, why: `${label} ${shown(raw)} contains whitespace, a control character or a backslash` };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, why: `${label} ${shown(raw)} is not an absolute URL` };
  }
  if (url.protocol !== "https:") {
    return { ok: false, why: `${label} ${shown(raw)} is not https (AWS serves SNS certificates and links over HTTPS only)` };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, why: `${label} ${shown(raw)} carries user-info before the host` };
  }
  if (url.port !== "") {
    // new URL() already drops an explicit :443, so any port left is a non-default one.
    return { ok: false, why: `${label} ${shown(raw)} names port ${url.port}; SNS uses the default HTTPS port` };
  }
  if (!SNS_HOST.test(url.hostname)) {
    return { ok: false, why: `${label} host ${JSON.stringify(url.hostname)} is not sns.<region>.amazonaws.com or sns.<region>.amazonaws.com.cn` };
  }
  if (rules.pemPath === true && !url.pathname.endsWith(".pem")) {
    return { ok: false, why: `${label} ${shown(raw)} does not name a .pem certificate file` };
  }
  if (rules.pemPath === true && (url.search !== "" || url.hash !== "")) {
    // Certificates are static files; a query or fragment has no business there.
    return { ok: false, why: `${label} ${shown(raw)} has a query or fragment; certificate URLs are plain file paths` };
  }
  if (rules.action !== undefined && url.searchParams.get("Action") !== rules.action) {
    return { ok: false, why: `${label} ${shown(raw)} is not an SNS ${rules.action} link (its Action is not ${rules.action})` };
  }
  return { ok: true, url };
}

export const CERT_URL_RULES: SnsUrlRules = { label: "SigningCertURL", pemPath: true };
export const SUBSCRIBE_URL_RULES: SnsUrlRules = { label: "SubscribeURL", action: "ConfirmSubscription" };

export function checkCertUrl(raw: string): UrlCheck {
  return checkSnsUrl(raw, CERT_URL_RULES);
}

/** https, sns.<region>.amazonaws.com[.cn], default port, no user-info or odd characters, path ends in .pem. */
export function isTrustedCertUrl(raw: string): boolean {
  return checkCertUrl(raw).ok;
}

export function checkSubscribeUrl(raw: string): UrlCheck {
  return checkSnsUrl(raw, SUBSCRIBE_URL_RULES);
}

/** The same host rule for SubscribeURL, which must also be an Action=ConfirmSubscription link. */
export function isTrustedSubscribeUrl(raw: string): boolean {
  return checkSubscribeUrl(raw).ok;
}
