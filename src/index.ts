/**
 * Library API: the same validation, signing and retry logic the CLI uses, for developers' own tests.
 * Importing it loads ajv lazily (on the first validation) and never loads @ngrok/ngrok.
 */
export { SinchHooksError, UsageError, InputError, NetworkError, CheckFailedError, EXIT } from "./errors.js";
export type { ErrorCategory } from "./errors.js";

export { validateCallback } from "./validate/validate.js";
export type { ValidationIssue, ValidationResult } from "./validate/validate.js";
export { parseJson, splitPayloads } from "./validate/parse.js";
export type { PayloadEntry } from "./validate/parse.js";
export { schemas } from "./schemas/index.js";
export * from "./schemas/types.js";

export { signHmac, verifyHmac, createNonceCache, HMAC_HEADERS, HMAC_ALGORITHM } from "./sign/hmac.js";
export type { HmacProblem, HmacVerification, NonceCache, SignHmacInput, VerifyHmacInput } from "./sign/hmac.js";
export { basicAuthorization, parseBasicAuthorization, checkBasic } from "./sign/basic.js";
export { requestAccessToken, OAUTH_TOKEN_PATH } from "./sign/oauth.js";

export { retrySchedule, scheduleFromGaps, formatSeconds, SINCH_RETRIES } from "./retry/schedule.js";
export type { ScheduleProfile, ScheduledRetry } from "./retry/schedule.js";
export { classifyStatus, classifyTransportFailure } from "./retry/policy.js";
export type { Outcome, OutcomeClass, TransportFailure } from "./retry/policy.js";

export { listen } from "./listen/index.js";
export type { ListenOptions, ListenEvent, Listener } from "./listen/index.js";
export { RECORDING_SCHEMA, RECORDING_FORMAT, RECORDING_VERSION } from "./listen/recording.js";
export type { Recording } from "./listen/recording.js";
export { describeDeliveryCode } from "./render/codes.js";

export { simulateRetries, sinchPolicy } from "./simulate/engine.js";
export type { SimulateOptions, SimulationResult, AttemptRecord, CallbackRun } from "./simulate/engine.js";
export { createVirtualClock, createScaledClock, systemClock } from "./retry/clock.js";
export type { Clock } from "./retry/clock.js";

export { unwrapSns, describeSnsVia } from "./sns/unwrap.js";
export type { SnsOutcome, SnsVia } from "./sns/unwrap.js";
export { verifySnsSignature, isTrustedCertUrl } from "./sns/verify.js";
export { wrapAsSnsNotification } from "./sns/wrap.js";
