/**
 * Small pure helpers the checks share: how an answer reads, what Sinch does with it (the same wording
 * `listen` prints, from listen/sinch-next.ts), and how a set of probes sums up into a figure.
 */
import { sinchNext } from "../listen/sinch-next.js";
import { truncateText } from "../render/text.js";
import { classifyStatus, classifyTransportFailure } from "../retry/policy.js";
import type { HttpResult } from "../send/http.js";
import type { CheckContext, Figure, Probe, Verdict } from "./types.js";

/** "0.8 ms", "12 ms", "1503 ms": milliseconds stay milliseconds so they compare with --budget-ms. */
export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

export const is2xx = (res: HttpResult): boolean => res.status !== undefined && res.status >= 200 && res.status < 300;

/** A 4xx that Sinch treats as final: every 4xx but 429. */
export const isFinal4xx = (res: HttpResult): boolean => res.status !== undefined && res.status >= 400 && res.status < 500 && res.status !== 429;

/** Sinch would send it again: 5xx, 429, or no answer at all (null; Decisions b). */
export function statusRetried(status: number | null | undefined): boolean {
  if (status === undefined || status === null) return true;
  return classifyStatus(status).class === "retry";
}

export const isRetried = (res: HttpResult): boolean => statusRetried(res.status);

/** "200 in 3 ms", or "no answer after 1002 ms (no answer within the timeout)". */
export function answerOf(res: HttpResult): string {
  if (res.status !== undefined) return `${res.status} in ${formatMs(res.latencyMs)}`;
  return `no answer after ${formatMs(res.latencyMs)} (${res.error?.message ?? "network error"})`;
}

/** What Sinch does next with this answer to a first delivery. */
export function sinchDoes(res: HttpResult): string {
  if (res.status !== undefined) return sinchNext(res.status, 1).text;
  const outcome = classifyTransportFailure(res.error?.kind ?? "other");
  return `→ Sinch retries in 5 s, as for a 5xx (assumption: Sinch does not document ${outcome.reason})`;
}

/** A short, safe, secret-free quote of what the endpoint said, for answers worth a closer look. */
export function bodySnippet(ctx: Pick<CheckContext, "redact">, res: HttpResult): string {
  const text = (res.body ?? "").trim();
  if (text === "") return "";
  // truncateText escapes controls and line breaks, so whatever the endpoint sent stays one safe line.
  return ` — body: ${truncateText(ctx.redact(text), 80)}`;
}

export function makeProbe(ctx: Pick<CheckContext, "redact">, label: string, res: HttpResult, verdict: Probe["verdict"]): Probe {
  const note = `${label}: ${answerOf(res)} ${sinchDoes(res)}${verdict === "pass" ? "" : bodySnippet(ctx, res)}`;
  return {
    label,
    status: res.status ?? null,
    latencyMs: res.latencyMs,
    ...(res.error ? { error: res.error.message } : {}),
    verdict,
    note,
  };
}

const rank: Record<Probe["verdict"], number> = { pass: 0, warn: 1, fail: 2 };

export function worstVerdict(probes: readonly Probe[]): Verdict {
  let worst: Probe["verdict"] = "pass";
  for (const p of probes) if (rank[p.verdict] > rank[worst]) worst = p.verdict;
  return worst;
}

/** "401 ×6", "200, 401 ×2", "no answer ×2": statuses in the order first seen, counted. */
export function statusSummary(probes: readonly Probe[]): string {
  const counts = new Map<string, number>();
  for (const p of probes) {
    const key = p.status === null ? "no answer" : String(p.status);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(", ");
}

/** The status that says most: the first one from a probe with the worst verdict. */
export function keyStatus(probes: readonly Probe[]): number | null | undefined {
  const worst = worstVerdict(probes);
  const probe = probes.find((p) => p.verdict === worst) ?? probes[0];
  return probe?.status;
}

export function maxLatency(probes: readonly Probe[]): number | undefined {
  if (probes.length === 0) return undefined;
  return Math.max(...probes.map((p) => p.latencyMs));
}

export function figure(text: string, probes: readonly Probe[]): Figure {
  const latency = maxLatency(probes);
  return { text, status: keyStatus(probes), ...(latency === undefined ? {} : { latencyMs: Math.round(latency * 10) / 10 }) };
}

/** Details for a result: the note of every probe that did not pass, or every probe when asked. */
export function notesOf(probes: readonly Probe[], all = false): string[] {
  return probes.filter((p) => all || p.verdict !== "pass").map((p) => p.note);
}

/**
 * Like notesOf, but three or more probes refused the same way (same status, or same transport
 * failure) become one line naming them all (with the first one's latency and body), so an endpoint that answers 401 to everything does not
 * print nine identical lines.
 */
export function groupedNotes(probes: readonly Probe[]): string[] {
  const shown = probes.filter((p) => p.verdict !== "pass");
  const groups = new Map<string, Probe[]>();
  let unique = 0;
  for (const p of shown) {
    // A 2xx that did not pass was too slow: each has its own latency, so each keeps its own line.
    const slow = p.status !== null && p.status >= 200 && p.status < 300;
    const key = slow ? `unique:${unique++}` : `${p.verdict}|${p.status ?? `none:${p.error ?? ""}`}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const out: string[] = [];
  for (const group of groups.values()) {
    if (group.length < 3) {
      out.push(...group.map((p) => p.note));
      continue;
    }
    const first = group[0]!;
    // The first probe's note, with its label swapped for the whole list.
    out.push(`${group.length} × (${group.map((p) => p.label).join(", ")})${first.note.slice(first.label.length)}`);
  }
  return out;
}
