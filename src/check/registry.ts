/**
 * The checks, in the order they run and are listed. Names are stable: --only / --skip, JSON and JUnit
 * use them, so renaming one breaks somebody's CI.
 */
import { UsageError } from "../errors.js";
import { allTypes2xx } from "./checks/all-types.js";
import { credentials } from "./checks/credentials.js";
import { idempotency, outOfOrderReports } from "./checks/delivery.js";
import { forwardCompat } from "./checks/forward-compat.js";
import { hmacFreshness, hmacRefusesForgeries } from "./checks/hmac.js";
import { malformedInput4xx } from "./checks/malformed.js";
import { rawBodyFidelity } from "./checks/raw-body.js";
import type { CheckDefinition } from "./types.js";

export const CHECKS: readonly CheckDefinition[] = [
  allTypes2xx,
  hmacRefusesForgeries,
  hmacFreshness,
  rawBodyFidelity,
  idempotency,
  outOfOrderReports,
  forwardCompat,
  malformedInput4xx,
  credentials,
];

export const CHECK_NAMES: readonly string[] = CHECKS.map((c) => c.name);

function unknownNames(flag: string, names: readonly string[]): void {
  const unknown = names.filter((n) => !CHECK_NAMES.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `${flag}: unknown check ${unknown.map((n) => JSON.stringify(n)).join(", ")}`,
      `the checks are: ${CHECK_NAMES.join(", ")} (see sinch-hooks check --list)`,
      "SH_CHECK_UNKNOWN",
    );
  }
}

/** --only first (in registry order, whatever order they were typed in), then --skip. */
export function selectChecks(only: readonly string[] | undefined, skip: readonly string[] | undefined): CheckDefinition[] {
  unknownNames("--only", only ?? []);
  unknownNames("--skip", skip ?? []);
  const selected = CHECKS.filter((c) => (only === undefined || only.length === 0 || only.includes(c.name)) && !(skip ?? []).includes(c.name));
  if (selected.length === 0) {
    throw new UsageError("--only and --skip leave no check to run", `the checks are: ${CHECK_NAMES.join(", ")}`, "SH_CHECK_NONE");
  }
  return selected;
}
