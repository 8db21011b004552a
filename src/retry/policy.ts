/**
 * What Sinch does with each answer to a callback (SMS "Webhooks" page, and the Decisions (b)/(c) in
 * shared/reference/sinch-callbacks.md for what Sinch does not document).
 */
export type OutcomeClass = "delivered" | "retry" | "dropped";

export interface Outcome {
  class: OutcomeClass;
  /** Short reason, e.g. "5xx", "429", "4xx", "connection refused". */
  reason: string;
  /** True when Sinch lowers its callback rate (429). */
  lowersRate: boolean;
  /** True when Sinch does not document this case and the tool assumes (Decisions b/c). */
  assumption: boolean;
}

/** Network-level failures the sender can see instead of a status. */
export type TransportFailure = "refused" | "reset" | "timeout" | "dns" | "other";

export function classifyStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return { class: "delivered", reason: "2xx", lowersRate: false, assumption: false };
  if (status === 429) return { class: "retry", reason: "429", lowersRate: true, assumption: false };
  if (status >= 500 && status < 600) return { class: "retry", reason: "5xx", lowersRate: false, assumption: false };
  if (status >= 400 && status < 500) return { class: "dropped", reason: "4xx", lowersRate: false, assumption: false };
  // 1xx/3xx final answers: not documented; treated as failures that are not retried (Decisions b).
  return { class: "dropped", reason: `${Math.floor(status / 100)}xx`, lowersRate: false, assumption: true };
}

export function classifyTransportFailure(kind: TransportFailure): Outcome {
  // Not documented by Sinch; treated as retryable like 5xx (Decisions b).
  const reason = kind === "refused" ? "connection refused" : kind === "reset" ? "connection reset" : kind === "timeout" ? "timeout" : kind === "dns" ? "DNS failure" : "network error";
  return { class: "retry", reason, lowersRate: false, assumption: true };
}
