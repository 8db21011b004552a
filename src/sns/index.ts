/**
 * AWS SNS delivery of Sinch callbacks (issue 6): recognise, verify and unwrap SNS HTTP messages for
 * `listen`, confirm subscriptions, and build SNS Notification envelopes for `replay` / `simulate-retries`.
 * Node's crypto does the signature work; undici (loaded lazily) does the two allowlisted fetches.
 */
export {
  detectSns,
  headerOf,
  isSnsMessageType,
  parseEnvelope,
  SNS_HEADERS,
  SNS_MESSAGE_TYPES,
} from "./envelope.js";
export type {
  EnvelopeProblem,
  ParseEnvelopeResult,
  SnsDetection,
  SnsEnvelope,
  SnsMessageType,
  SnsNotification,
  SnsSignatureVersion,
  SnsSubscriptionControl,
} from "./envelope.js";

export { checkCertUrl, checkSnsUrl, checkSubscribeUrl, isTrustedCertUrl, isTrustedSubscribeUrl, printableUrl } from "./urls.js";
export type { SnsUrlRules, UrlCheck } from "./urls.js";

export { createCertCache, createCertFetcher, SNS_SIGNATURE_DIGEST, stringToSign, verifySnsSignature } from "./verify.js";
export type { CertCache, CertCacheOptions, CertFetcher, CertFetcherOptions, SnsVerification, SnsVerifyFailure, VerifyDeps } from "./verify.js";

export { confirmSubscription, createConfirmFetcher, xmlElementText } from "./confirm.js";
export type { ConfirmFetch, ConfirmFetcherOptions, ConfirmFetchResponse, ConfirmMode, ConfirmOptions, ConfirmResult } from "./confirm.js";

export { describeSnsVia, unwrapSns } from "./unwrap.js";
export type { SnsOutcome, SnsRefusalReason, SnsVia, UnwrapDeps } from "./unwrap.js";

export { SNS_CONTENT_TYPE, SNS_ENVELOPE_HELP, SNS_MAX_MESSAGE_BYTES, wrapAsSnsNotification } from "./wrap.js";
export type { SnsSigning, WrapOptions, WrapResult } from "./wrap.js";

export { SnsFetchError } from "./fetch.js";
