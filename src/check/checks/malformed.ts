/**
 * malformed-input-4xx: a body that is not JSON, and an empty body, are answered 4xx. Sinch itself sends
 * JSON, but proxies truncate, load balancers probe, and a broken body must not become a 5xx: that tells
 * Sinch to send the same broken bytes again, 15 more times over 22 h 45 min. Both requests carry valid
 * credentials and a valid signature over their bytes, so they reach the parser instead of being refused
 * at the door — a 401 here would say nothing about parsing.
 */
import { SINCH_RETRIES } from "../../retry/schedule.js";
import { figure, isFinal4xx, isRetried, makeProbe, notesOf } from "../probe.js";
import type { CheckDefinition, Probe } from "../types.js";

const NAME = "malformed-input-4xx";

export const malformedInput4xx: CheckDefinition = {
  name: NAME,
  summary: "malformed JSON and an empty body are answered 4xx, not 5xx",
  why:
    "A body that is not JSON can never succeed. A 4xx says so and Sinch stops; a 5xx (an uncaught parse exception) tells Sinch to retry the same broken body " +
    `${SINCH_RETRIES} times over 22 h 45 min.`,
  async run(ctx) {
    const text = JSON.stringify(await ctx.sample("mo_text"));
    const cases: { label: string; body: Buffer }[] = [
      { label: "truncated JSON", body: Buffer.from(text.slice(0, Math.floor(text.length / 2)), "utf8") },
      { label: "empty body", body: Buffer.alloc(0) },
    ];
    const probes: Probe[] = [];
    for (const c of cases) {
      const res = await ctx.send(c.body, await ctx.headersFor(c.body));
      probes.push(makeProbe(ctx, c.label, res, isFinal4xx(res) ? "pass" : isRetried(res) ? "fail" : "warn"));
    }

    const sentences: string[] = [];
    const retried = probes.filter((p) => p.verdict === "fail");
    const accepted = probes.filter((p) => p.status !== null && p.status >= 200 && p.status < 300);
    const authRefused = probes.filter((p) => p.status === 401 || p.status === 403);
    if (retried.length > 0) {
      sentences.push(
        `${retried.map((p) => `The ${p.label} was answered ${p.status ?? "with no answer"}`).join("; ")}. ` +
          `A 5xx (or no answer) means a day of retries: Sinch sends the same broken bytes again up to ${SINCH_RETRIES} times over 22 h 45 min, failing identically each time, filling logs and paging whoever watches 5xx rates. ` +
          "A parse error is the sender's fault: catch it and answer 400.",
      );
    }
    if (accepted.length > 0) {
      sentences.push(
        `${accepted.map((p) => `The ${p.label}`).join(" and ")} ${accepted.length === 1 ? "was" : "were"} answered 2xx: Sinch would count it as delivered, and whatever your handler did with a body it could not parse is worth a look. A 400 is the honest answer.`,
      );
    }
    const others = probes.filter((p) => p.verdict === "warn" && !accepted.includes(p));
    if (others.length > 0) {
      sentences.push(`${others.map((p) => `The ${p.label} was answered ${p.status}`).join("; ")}: Sinch does not document 1xx/3xx answers; sinch-hooks assumes it drops them. A 400 is the clear answer.`);
    }
    if (sentences.length === 0) {
      sentences.push(
        "Both were answered with a 4xx, which Sinch treats as final: a body that can never succeed is not retried. (Sinch itself sends JSON; a broken body comes from a proxy, a probe or a bug on the way.)",
      );
      if (authRefused.length > 0) {
        sentences.push(
          "Note: the answer was 401/403 although the request carried valid credentials and signature, so the endpoint may refuse before parsing for another reason; a 400 from the JSON parser would be the more telling answer.",
        );
      }
    }
    const verdict = retried.length > 0 ? "fail" : probes.some((p) => p.verdict === "warn") ? "warn" : "pass";
    const text2 = probes.map((p) => `${p.label} ${p.status ?? "no answer"}`).join(" · ");
    return { name: NAME, verdict, figure: figure(text2, probes), details: notesOf(probes), explanation: sentences.join(" "), probes };
  },
};
