/**
 * Typed errors with stable codes. Every error a user can cause is a SinchHooksError;
 * `cli/main.ts` renders it once (message + hint) and maps its category to an exit code.
 *
 * Exit codes (documented in the README):
 *   0 ok · 1 a check failed · 2 usage or input error · 3 network, target or tunnel error
 */
export type ErrorCategory = "usage" | "input" | "check" | "network" | "tunnel" | "internal";

export const EXIT = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  network: 3,
  internal: 70,
} as const;

const exitByCategory: Record<ErrorCategory, number> = {
  usage: EXIT.usage,
  input: EXIT.usage,
  check: EXIT.checkFailed,
  network: EXIT.network,
  tunnel: EXIT.network,
  internal: EXIT.internal,
};

export interface ErrorDetails {
  hint?: string;
  cause?: unknown;
}

export class SinchHooksError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly hint: string | undefined;

  constructor(code: string, category: ErrorCategory, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "SinchHooksError";
    this.code = code;
    this.category = category;
    this.hint = details.hint;
  }

  get exitCode(): number {
    return exitByCategory[this.category];
  }
}

/** A flag or argument is wrong. The message names the flag; the hint says what to do. */
export class UsageError extends SinchHooksError {
  constructor(message: string, hint?: string, code = "SH_USAGE") {
    super(code, "usage", message, { hint });
    this.name = "UsageError";
  }
}

/** A file or stdin could not be read or parsed. */
export class InputError extends SinchHooksError {
  constructor(message: string, hint?: string, code = "SH_INPUT") {
    super(code, "input", message, { hint });
    this.name = "InputError";
  }
}

/** The developer's endpoint, a token URL or another network peer failed. */
export class NetworkError extends SinchHooksError {
  constructor(message: string, details: ErrorDetails & { code?: string } = {}) {
    super(details.code ?? "SH_NETWORK", "network", message, details);
    this.name = "NetworkError";
  }
}

/** A check the user asked for failed (invalid payload, unmet expectation). Usually already reported. */
export class CheckFailedError extends SinchHooksError {
  constructor(message: string, code = "SH_CHECK_FAILED") {
    super(code, "check", message);
    this.name = "CheckFailedError";
  }
}

export function isSinchHooksError(err: unknown): err is SinchHooksError {
  return err instanceof SinchHooksError;
}
