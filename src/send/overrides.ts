/**
 * --set path=value: override fields before sending, e.g. `--set status=Failed --set code=402`
 * or `--set statuses.0.count=3`. A value that parses as JSON is used as JSON (402 → number,
 * true → boolean, {"a":1} → object); anything else is a string.
 */
import { UsageError } from "../errors.js";

export interface FieldOverride {
  path: string[];
  value: unknown;
  /** As typed, for messages. */
  text: string;
}

export function parseSetFlag(text: string): FieldOverride {
  const i = text.indexOf("=");
  if (i <= 0) throw new UsageError(`--set must look like path=value (got "${text}")`, "e.g. --set status=Failed --set code=402 --set statuses.0.count=3");
  const rawPath = text.slice(0, i).trim();
  const path = rawPath.replace(/^\//, "").split(/[./]/);
  if (path.some((p) => p === "" || p === "__proto__" || p === "constructor" || p === "prototype")) {
    throw new UsageError(`--set: "${rawPath}" is not a usable field path`, "use dots between fields and array indices, e.g. statuses.0.count");
  }
  const rawValue = text.slice(i + 1);
  let value: unknown = rawValue;
  try {
    value = JSON.parse(rawValue);
  } catch {
    /* a plain string */
  }
  return { path, value, text };
}

/** Returns a copy of `payload` with every override applied; intermediate objects are created as needed. */
export function applyOverrides(payload: unknown, overrides: readonly FieldOverride[]): unknown {
  if (overrides.length === 0) return payload;
  if (payload === null || typeof payload !== "object") {
    throw new UsageError("--set needs payloads that are JSON objects", "remove --set for this input");
  }
  const copy = structuredClone(payload) as Record<string, unknown>;
  for (const o of overrides) {
    let node: Record<string, unknown> | unknown[] = copy;
    for (let k = 0; k < o.path.length - 1; k++) {
      const key = o.path[k]!;
      const next = (node as Record<string, unknown>)[key];
      if (next === null || typeof next !== "object") {
        const created: Record<string, unknown> | unknown[] = /^\d+$/.test(o.path[k + 1]!) ? [] : {};
        (node as Record<string, unknown>)[key] = created;
        node = created;
      } else {
        node = next as Record<string, unknown>;
      }
    }
    (node as Record<string, unknown>)[o.path.at(-1)!] = o.value;
  }
  return copy;
}
