/**
 * all-types-2xx: every bundled sample (the seven callback types, plus the "full" variants of the batch
 * reports) is answered 2xx within --budget-ms. The samples are the realistic, schema-valid ones from
 * fixtures/, given fresh ids and timestamps, sent compact as Sinch sends them, one after the other so
 * each latency is the endpoint's own and not a queue behind the others.
 */
import { listSamples } from "../../fixtures/samples.js";
import { SINCH_RETRIES } from "../../retry/schedule.js";
import { figure, formatMs, groupedNotes, is2xx, makeProbe, statusRetried, worstVerdict } from "../probe.js";
import type { CheckContext, CheckDefinition, CheckResult, Probe } from "../types.js";

const NAME = "all-types-2xx";

const WHY =
  "Sinch counts a callback as delivered only on a 2xx. A valid callback answered 5xx or 429 is sent again up to " +
  `${SINCH_RETRIES} times over 22 h 45 min; any other 4xx drops it for good. Sinch documents no timeout for SMS ` +
  "callbacks (Voice documents 5 s), so an endpoint that answers slowly risks being treated as silent and retried.";

export const allTypes2xx: CheckDefinition = {
  name: NAME,
  summary: "every callback type (all seven, realistic and valid) is answered 2xx within --budget-ms",
  why: WHY,
  async run(ctx: CheckContext): Promise<CheckResult> {
    const probes: Probe[] = [];
    let slow = 0;
    let refused = 0;
    let authRefused = false;
    for (const sample of listSamples()) {
      const body = Buffer.from(JSON.stringify(await ctx.sample(sample.name)));
      const res = await ctx.send(body, await ctx.headersFor(body));
      const ok = is2xx(res);
      const inBudget = res.latencyMs <= ctx.budgetMs;
      if (!ok) refused++;
      else if (!inBudget) slow++;
      if (res.status === 401 || res.status === 403) authRefused = true;
      const probe = makeProbe(ctx, sample.name, res, ok && inBudget ? "pass" : "fail");
      if (ok && !inBudget) probe.note += ` — over the ${ctx.budgetMs} ms budget`;
      probes.push(probe);
    }

    const total = probes.length;
    const slowest = Math.max(...probes.map((p) => p.latencyMs));
    const parts = [`${total - refused}/${total} 2xx`];
    if (slow > 0) parts.push(`${slow} over ${ctx.budgetMs} ms`);
    parts.push(`slowest ${formatMs(slowest)}`);
    const verdict = worstVerdict(probes);
    const details = groupedNotes(probes);
    if (authRefused && !ctx.hmacSecret && !ctx.basic && !ctx.oauth) {
      details.push("401/403 with no credentials configured: if the endpoint requires them, pass the ones Sinch uses (--hmac-secret, --basic-auth, --oauth-token-url with --oauth-credentials)");
    }

    let explanation: string;
    if (verdict === "pass") {
      explanation = `Sinch counts a callback as delivered on any 2xx. All ${total} samples — the seven callback types, and the full variants of the batch delivery reports — were answered 2xx within the ${ctx.budgetMs} ms budget (slowest ${formatMs(slowest)}), so none of them would be retried or lost.`;
    } else {
      const sentences: string[] = [];
      if (refused > 0) {
        const retried = probes.some((p) => p.verdict === "fail" && statusRetried(p.status));
        const fate = retried
          ? `On a 5xx, a 429 or no answer Sinch retries a callback up to ${SINCH_RETRIES} times over 22 h 45 min and then gives up; on any other 4xx it drops it for good`
          : "On a 4xx (other than 429) Sinch drops a callback for good";
        sentences.push(
          `${refused} valid callback${refused === 1 ? " was" : "s were"} not answered 2xx. ${fate}: a real inbound message or delivery report your application never sees.`,
        );
      }
      if (slow > 0) {
        sentences.push(
          `${slow} answer${slow === 1 ? " was" : "s were"} slower than the ${ctx.budgetMs} ms budget (--budget-ms). Sinch documents no timeout for SMS callbacks (Voice callbacks document 5 s), so a slow answer is a gamble: if Sinch stops waiting it counts as no answer and the callback comes again, processed twice. Store or queue the callback, answer 2xx, do the work afterwards.`,
        );
      }
      explanation = sentences.join(" ");
    }
    return { name: NAME, verdict, figure: figure(parts.join(" · "), probes), details, explanation, probes };
  },
};
