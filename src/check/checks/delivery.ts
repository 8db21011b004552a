/**
 * Two checks about how callbacks arrive rather than what they contain:
 *
 * - idempotency: the same callback twice in a row and twice at the same moment, each answered 2xx.
 *   Sinch retries on 5xx, 429 and (assumed) on no answer, and says nothing about duplicates or ordering
 *   for SMS (sinch-callbacks.md §6: "assume no ordering and possible duplicates from retries").
 * - out-of-order-reports: a final per-recipient status, then an intermediate one for the same recipient.
 *   Sinch documents that Dispatched can be skipped when a final status arrives first (§1), and a retried
 *   intermediate report can land after the final one.
 *
 * Each copy carries its own fresh signature, so an endpoint's view on replayed nonces (hmac-freshness)
 * cannot decide the outcome here.
 */
import { SINCH_RETRIES } from "../../retry/schedule.js";
import { figure, is2xx, makeProbe, notesOf, statusRetried, statusSummary } from "../probe.js";
import type { CheckContext, CheckDefinition, Probe } from "../types.js";

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

async function sendCopy(ctx: CheckContext, body: Buffer) {
  return ctx.send(body, await ctx.headersFor(body));
}

/** "Sinch retries it …" / "Sinch drops it …" for the statuses of the failed probes. */
function fateOf(failed: readonly Probe[]): string {
  const retried = failed.some((p) => statusRetried(p.status));
  const dropped = failed.some((p) => !statusRetried(p.status));
  const parts: string[] = [];
  if (retried) parts.push(`on a 5xx, a 429 or no answer Sinch sends it again, up to ${SINCH_RETRIES} times over 22 h 45 min`);
  if (dropped) parts.push("on any other 4xx Sinch drops it for good");
  return parts.join("; ");
}

// ---------------------------------------------------------------------------------------------

const IDEMPOTENCY_NAME = "idempotency";

export const idempotency: CheckDefinition = {
  name: IDEMPOTENCY_NAME,
  summary: "the same callback twice in a row and twice concurrently is answered 2xx every time",
  why:
    "Sinch retries a callback it thinks failed, so the same callback can arrive twice, even at the same moment. " +
    "An endpoint that answers 5xx to a duplicate (a unique-key violation, say) makes Sinch retry a callback it already has for 22 h 45 min.",
  async run(ctx) {
    const probes: Probe[] = [];
    for (const sample of ["mo_text", "recipient_delivery_report_sms"]) {
      const body = json(await ctx.sample(sample));
      const first = await sendCopy(ctx, body);
      probes.push(makeProbe(ctx, `${sample} twice in a row, copy 1`, first, is2xx(first) ? "pass" : "fail"));
      const second = await sendCopy(ctx, body);
      probes.push(makeProbe(ctx, `${sample} twice in a row, copy 2`, second, is2xx(second) ? "pass" : "fail"));
    }
    for (const sample of ["mo_text", "recipient_delivery_report_sms"]) {
      const body = json(await ctx.sample(sample));
      // Both requests are signed first, then sent together: two connections, no ordering between them.
      const [ha, hb] = [await ctx.headersFor(body), await ctx.headersFor(body)];
      const [a, b] = await Promise.all([ctx.send(body, ha), ctx.send(body, hb)]);
      probes.push(makeProbe(ctx, `${sample} twice at once, copy A`, a, is2xx(a) ? "pass" : "fail"));
      probes.push(makeProbe(ctx, `${sample} twice at once, copy B`, b, is2xx(b) ? "pass" : "fail"));
    }

    const failed = probes.filter((p) => p.verdict === "fail");
    const text = `${probes.length - failed.length}/${probes.length} copies 2xx (${statusSummary(probes)})`;
    let explanation: string;
    if (failed.length === 0) {
      explanation =
        "Every copy of a repeated callback — sent one after the other, and two at the same moment — was answered 2xx. That is what Sinch needs: a duplicate is a success that has already happened. This check only sees statuses; make sure a duplicate is not also processed twice (key inbound messages on id, per-recipient reports on batch_id + recipient + status + code).";
    } else if (probes.filter((p) => p.label.endsWith("copy 1")).every((p) => p.verdict === "fail")) {
      explanation = `Even the first copy of each callback was refused, so this check cannot tell how duplicates are handled: ${fateOf(failed)}. See all-types-2xx.`;
    } else {
      const concurrentOnly = failed.every((p) => p.label.includes("at once"));
      explanation =
        `${failed.length} cop${failed.length === 1 ? "y" : "ies"} of a repeated callback ${failed.length === 1 ? "was" : "were"} not answered 2xx${concurrentOnly ? ", and only when the copies arrived together — a check-then-insert race" : ""}. ` +
        `What Sinch does with such an answer: ${fateOf(failed)}. ` +
        "Treat a callback you already have as a success: look it up by its id (or batch_id + recipient + status for a per-recipient report), answer 2xx and do nothing, and let the database's unique key settle a race instead of throwing.";
    }
    return { name: IDEMPOTENCY_NAME, verdict: failed.length === 0 ? "pass" : "fail", figure: figure(text, probes), details: notesOf(probes), explanation, probes };
  },
};

// ---------------------------------------------------------------------------------------------

const ORDER_NAME = "out-of-order-reports";

export const outOfOrderReports: CheckDefinition = {
  name: ORDER_NAME,
  summary: "a final per-recipient report (Delivered) followed by an intermediate one (Dispatched) is answered 2xx",
  why:
    "Per-recipient delivery reports are not guaranteed to arrive in order: a retried Dispatched can land after Delivered. " +
    "An endpoint that throws on the \"impossible\" transition turns a harmless late report into a day of retries or a dropped callback.",
  async run(ctx) {
    const base = await ctx.sample("recipient_delivery_report_sms");
    const deliveredAt = Date.parse(String(base.at));
    const delivered = { ...base, status: "Delivered", code: 0 };
    // Dispatched (401) was created earlier, before any SMSC receipt existed, but arrives later.
    const dispatched: Record<string, unknown> = { ...base, status: "Dispatched", code: 401, at: new Date((Number.isFinite(deliveredAt) ? deliveredAt : ctx.now()) - 2_000).toISOString() };
    delete dispatched.operator_status_at;

    const probes: Probe[] = [];
    const first = await sendCopy(ctx, json(delivered));
    probes.push(makeProbe(ctx, "Delivered (final) first", first, is2xx(first) ? "pass" : "fail"));
    const late = await sendCopy(ctx, json(dispatched));
    probes.push(makeProbe(ctx, "then Dispatched (intermediate) for the same recipient", late, is2xx(late) ? "pass" : "fail"));

    const text = `Delivered ${first.status ?? "no answer"} → Dispatched ${late.status ?? "no answer"}`;
    let explanation: string;
    if (is2xx(first) && is2xx(late)) {
      explanation =
        "The late intermediate report was answered 2xx. Right: Sinch may skip Dispatched when the final status comes first, and a retried report can land after a newer one. Make sure the late Dispatched does not move the recipient back from Delivered — compare statuses (final beats intermediate) or the report's `at` time before updating.";
    } else if (!is2xx(first)) {
      explanation = `The final report itself was not answered 2xx, so ${fateOf(probes.slice(0, 1))}. See all-types-2xx.`;
    } else {
      explanation =
        `The intermediate report that arrived after the final one was answered ${late.status ?? "with no answer"}: ${fateOf(probes.slice(1))}. ` +
        "Sinch does not promise order for per-recipient reports (Dispatched can be skipped or arrive late), so a late intermediate status is normal, not an error: answer 2xx and ignore it when the recipient already has a final status.";
    }
    return { name: ORDER_NAME, verdict: is2xx(first) && is2xx(late) ? "pass" : "fail", figure: figure(text, probes), details: notesOf(probes), explanation, probes };
  },
};
