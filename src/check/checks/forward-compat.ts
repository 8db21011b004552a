/**
 * forward-compat: Sinch adds things over time — fields (every official SDK keeps its models open),
 * delivery codes ("New error codes may be added over time", documented; sinch-callbacks.md §3.2) and
 * callback types (mo_media arrived in 2024). An endpoint must not turn any of them into a 5xx, which
 * would make Sinch retry a callback that can never succeed. A 4xx is judged by what it loses: for a
 * known type with a new field or code it drops real data for good (a failure); for an unknown type it
 * is a deliberate ignore (a warning, because a new type Sinch adds would then vanish without a trace).
 */
import { ulid } from "../../ids.js";
import { SINCH_RETRIES } from "../../retry/schedule.js";
import { figure, is2xx, isRetried, makeProbe, notesOf } from "../probe.js";
import type { CheckDefinition, Probe } from "../types.js";
import type { HttpResult } from "../../send/http.js";

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** A type no Sinch API sends: plainly made up, so nobody mistakes it for a real one in their logs. */
export const FUTURE_TYPE = "future_callback_type_from_sinch_hooks";

const NAME = "forward-compat";

function short(res: HttpResult): string {
  return res.status === undefined ? "no answer" : String(res.status);
}

function compatSentences(withField: HttpResult, withCode: HttpResult, unknownType: HttpResult): string[] {
  const sentences: string[] = [];
  for (const [res, what] of [
    [withField, "a known callback type with a field it has never seen"],
    [withCode, "a per-recipient report with a delivery code it has never seen"],
  ] as const) {
    if (is2xx(res)) continue;
    sentences.push(
      isRetried(res)
        ? `The endpoint answered ${short(res)} to ${what}: Sinch would retry it up to ${SINCH_RETRIES} times over 22 h 45 min, failing each time, and then give up.`
        : `The endpoint refused ${what} with ${short(res)}: a 4xx is final, so the day Sinch adds such a field or code, every one of those callbacks is dropped for good.`,
    );
  }
  if (!is2xx(unknownType)) {
    sentences.push(
      isRetried(unknownType)
        ? `An unknown callback type was answered ${short(unknownType)}: Sinch would retry it for 22 h 45 min although it can never succeed. A switch on \`type\` needs a default branch that answers 2xx (or at least a 4xx).`
        : `An unknown callback type was refused with ${short(unknownType)}. Sinch drops it for good, which is acceptable if you mean to ignore types you do not handle — but a type Sinch adds later will then vanish without a trace. Answering 2xx and logging it is kinder to your future self.`,
    );
  }
  return sentences;
}

export const forwardCompat: CheckDefinition = {
  name: NAME,
  summary: "an unknown extra field, a new delivery code and an unknown future type are not answered 5xx",
  why:
    "Sinch adds fields, codes and callback types without asking. A strict parser that throws on them turns every such callback into a 5xx: " +
    "retried for 22 h 45 min and then lost. Known types with something new must still be accepted; unknown types at least must not be retried forever.",
  async run(ctx) {
    const probes: Probe[] = [];
    const sentences: string[] = [];

    // The control: if a plain valid callback is refused too, nothing below is about forward compatibility.
    const control = await send(await ctx.sample("mo_text"));
    probes.push(makeProbe(ctx, "plain mo_text (control)", control, is2xx(control) ? "pass" : "fail"));

    const extra = { ...(await ctx.sample("mo_text")), future_field: { added_by: "sinch-hooks check", values: [1, 2, 3] } };
    const withField = await send(extra);
    probes.push(makeProbe(ctx, "mo_text with an unknown extra field", withField, is2xx(withField) ? "pass" : "fail"));

    const newCode = { ...(await ctx.sample("recipient_delivery_report_sms")), status: "Failed", code: 419 };
    const withCode = await send(newCode);
    probes.push(makeProbe(ctx, "recipient report with a new code (419)", withCode, is2xx(withCode) ? "pass" : "fail"));

    const now = ctx.now();
    const future = { type: FUTURE_TYPE, id: ulid(now), batch_id: ulid(now), at: new Date(now).toISOString(), detail: { note: "a callback type Sinch might add one day" } };
    const unknownType = await send(future);
    probes.push(makeProbe(ctx, `unknown type "${FUTURE_TYPE}"`, unknownType, is2xx(unknownType) ? "pass" : isRetried(unknownType) ? "fail" : "warn"));

    if (!is2xx(control)) {
      sentences.push(
        `A plain, valid mo_text was already answered ${short(control)}, so this check cannot tell how new fields, codes or types are treated. See all-types-2xx.`,
      );
    } else {
      sentences.push(...compatSentences(withField, withCode, unknownType));
    }
    if (sentences.length === 0) {
      sentences.push(
        "An unknown extra field, a new delivery code and an unknown callback type were all answered 2xx. When Sinch adds fields, codes or types (it documents that codes grow, and mo_media arrived in 2024), nothing is retried or lost; log what you do not understand rather than refusing it.",
      );
    }
    const verdict = probes.some((p) => p.verdict === "fail") ? "fail" : probes.some((p) => p.verdict === "warn") ? "warn" : "pass";
    const text = `${is2xx(control) ? "" : `control ${short(control)} · `}extra field ${short(withField)} · new code ${short(withCode)} · unknown type ${short(unknownType)}`;
    return { name: NAME, verdict, figure: figure(text, probes), details: notesOf(probes), explanation: sentences.join(" "), probes };

    async function send(payload: unknown): Promise<HttpResult> {
      const body = json(payload);
      return ctx.send(body, await ctx.headersFor(body));
    }
  },
};
