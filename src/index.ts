/**
 * Library API: the same validation, signing and retry logic the CLI uses, for developers' own tests.
 */
export { SinchHooksError, UsageError, InputError, NetworkError, CheckFailedError, EXIT } from "./errors.js";
export type { ErrorCategory } from "./errors.js";
export { retrySchedule, scheduleFromGaps, formatSeconds, SINCH_RETRIES } from "./retry/schedule.js";
export type { ScheduleProfile, ScheduledRetry } from "./retry/schedule.js";
export { classifyStatus, classifyTransportFailure } from "./retry/policy.js";
export type { Outcome, OutcomeClass, TransportFailure } from "./retry/policy.js";
