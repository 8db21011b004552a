/**
 * The two HMAC checks (shared/reference/sinch-callbacks.md §4.2 and Decisions d):
 *
 * - hmac-refuses-forgeries: a correctly signed callback is accepted; a tampered body, a wrong secret and
 *   each missing signature header are refused, ideally with a 4xx (final for Sinch, right for a forgery).
 * - hmac-freshness: what the endpoint does with a valid signature whose timestamp is old, and with the
 *   same signed request twice. Always a warning, never a failure: Sinch does not document whether its
 *   retries repeat the original signature (§8 point 6), so refusing and accepting both have a cost.
 *
 * Every forgery is built on its own fresh sample, so an endpoint that refuses duplicates cannot pass a
 * forgery test by accident.
 */
import { ulid } from "../../ids.js";
import { HMAC_HEADERS, signHmac } from "../../sign/hmac.js";
import { figure, isFinal4xx, is2xx, isRetried, makeProbe, notesOf, statusSummary } from "../probe.js";
import type { CheckContext, CheckDefinition, CheckResult, Probe } from "../types.js";
import type { HttpResult } from "../../send/http.js";

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** A signature made with a secret that is certainly not the configured one. */
function wrongSecret(secret: string): string {
  return `not-${secret}`;
}

function signature(ctx: CheckContext, body: Buffer, over: { secret?: string; timestamp?: number } = {}): Record<string, string> {
  const now = ctx.now();
  return signHmac({
    secret: over.secret ?? ctx.hmacSecret!,
    body,
    nonce: ulid(now),
    timestamp: over.timestamp ?? Math.floor(now / 1000),
  });
}

function without(headers: Record<string, string>, name: string): Record<string, string> {
  const copy = { ...headers };
  delete copy[name];
  return copy;
}

// ---------------------------------------------------------------------------------------------

const FORGERIES_NAME = "hmac-refuses-forgeries";

export const hmacRefusesForgeries: CheckDefinition = {
  name: FORGERIES_NAME,
  summary: "a tampered body, a wrong secret and each missing signature header are refused (4xx); a valid signature is accepted",
  why:
    "An endpoint that does not verify x-sinch-webhook-signature accepts fake inbound messages and delivery reports from anyone who knows its URL. " +
    "Refusing with a 4xx is right: a 4xx is final for Sinch, and Sinch never sends a bad signature unless the secret is wrong.",
  needs: "hmac",
  async run(ctx) {
    const probes: Probe[] = [];

    const validBody = json(await ctx.sample("mo_text"));
    const valid = await ctx.send(validBody, await ctx.headersFor(validBody));
    probes.push(makeProbe(ctx, "valid signature", valid, is2xx(valid) ? "pass" : "fail"));

    const forgeries: { label: string; algorithmOnly?: boolean; build(): Promise<{ body: Buffer; headers: Record<string, string> }> }[] = [
      {
        label: "tampered body (signed, then the text changed)",
        async build() {
          const payload = await ctx.sample("mo_text");
          const signedBody = json(payload);
          const headers = await ctx.headersFor(signedBody);
          return { body: json({ ...payload, body: `${String(payload.body)} (changed in transit)` }), headers };
        },
      },
      {
        label: "wrong secret",
        async build() {
          const body = json(await ctx.sample("mo_text"));
          return { body, headers: { ...(await ctx.headersFor(body)), ...signature(ctx, body, { secret: wrongSecret(ctx.hmacSecret!) }) } };
        },
      },
      ...[HMAC_HEADERS.signature, HMAC_HEADERS.nonce, HMAC_HEADERS.timestamp, HMAC_HEADERS.algorithm].map((header) => ({
        label: `no ${header} header`,
        algorithmOnly: header === HMAC_HEADERS.algorithm,
        async build() {
          const body = json(await ctx.sample("mo_text"));
          return { body, headers: without(await ctx.headersFor(body), header) };
        },
      })),
    ];

    let accepted = 0;
    let acceptedAlgorithm = false;
    let notFinal = 0;
    for (const forgery of forgeries) {
      const { body, headers } = await forgery.build();
      const res = await ctx.send(body, headers);
      let verdict: Probe["verdict"];
      if (is2xx(res)) {
        // The official Node and Python SDKs ignore the algorithm header (§7.3); the signature itself is
        // still checked, so this is no forgery getting in. Worth knowing, not worth failing.
        if (forgery.algorithmOnly) {
          acceptedAlgorithm = true;
          verdict = "warn";
        } else {
          accepted++;
          verdict = "fail";
        }
      } else if (isFinal4xx(res)) {
        verdict = "pass";
      } else {
        notFinal++;
        verdict = "warn";
      }
      probes.push(makeProbe(ctx, forgery.label, res, verdict));
    }

    const forged = probes.slice(1);
    const refused = forged.filter((p) => p.status === null || p.status < 200 || p.status >= 300).length;
    const text = `${refused}/${forged.length} forgeries refused (${statusSummary(forged)}) · valid ${valid.status ?? "no answer"}`;

    const sentences: string[] = [];
    if (!is2xx(valid)) {
      sentences.push(
        `The correctly signed callback was answered ${valid.status ?? "with no answer"}: ` +
          (isRetried(valid) ? "Sinch would retry every real callback for 22 h 45 min and then give up on it. " : "Sinch would drop every real callback for good. ") +
          'Check that the secret is the one configured for the service plan, used as plain UTF-8 (not Base64-decoded), and that the signature is computed over rawBody + "." + nonce + "." + timestamp.',
      );
    }
    if (accepted > 0) {
      sentences.push(
        `The endpoint answered 2xx to ${accepted} request${accepted === 1 ? "" : "s"} whose signature cannot be valid, so anyone who knows the URL can post fake inbound messages or delivery reports. ` +
          "Verify x-sinch-webhook-signature = Base64(HMAC-SHA256(secret, rawBody + \".\" + nonce + \".\" + timestamp)) over the raw bytes, compare in constant time, require the nonce and timestamp headers, and answer 401 otherwise.",
      );
    }
    if (notFinal > 0) {
      sentences.push(
        `${notFinal} forger${notFinal === 1 ? "y was" : "ies were"} refused, but not with a 4xx. A 5xx or no answer tells Sinch to try again: harmless for a forger, but if your secret is ever wrong, every real callback is retried for 22 h 45 min instead of failing at once and visibly. A 4xx (401) is the clear answer.`,
      );
    }
    if (acceptedAlgorithm) {
      sentences.push(
        "A request without x-sinch-webhook-signature-algorithm was accepted. The signature was still valid, so this is not a hole; the official Node and Python SDKs ignore that header too. Sinch always sends HmacSHA256; checking it costs nothing.",
      );
    }
    if (sentences.length === 0) {
      sentences.push(
        "Every forgery (tampered body, wrong secret, each of the four signature headers missing) was refused with a 4xx, and the correctly signed callback was accepted. That is right: a 4xx is final for Sinch, which never sends a bad signature unless the secret is wrong, and a forger gets nothing.",
      );
    }
    const verdict = accepted > 0 || !is2xx(valid) ? "fail" : notFinal > 0 || acceptedAlgorithm ? "warn" : "pass";
    return { name: FORGERIES_NAME, verdict, figure: figure(text, probes), details: notesOf(probes), explanation: sentences.join(" "), probes };
  },
};

// ---------------------------------------------------------------------------------------------

const FRESHNESS_NAME = "hmac-freshness";
/** How old the stale signature is: later than any sensible window, and well within Sinch's 22 h 45 min of retries. */
export const STALE_SECONDS = 3600;

function side(res: HttpResult): "accepted" | "refused" {
  return is2xx(res) ? "accepted" : "refused";
}

export const hmacFreshness: CheckDefinition = {
  name: FRESHNESS_NAME,
  summary: "how a valid but 1 h old signature and a replayed signature are treated (a warning either way, never a failure)",
  why:
    "Refusing old or repeated signatures stops replays of captured requests, but Sinch does not document whether its retries repeat the original signature; " +
    "if they do, a refused retry is lost for good. Accepting keeps Sinch's retries but lets a captured request be replayed. Neither is right in every case.",
  needs: "hmac",
  advisory: true,
  async run(ctx): Promise<CheckResult> {
    const probes: Probe[] = [];
    const sentences: string[] = [];

    // A valid signature, one hour old.
    const staleBody = json(await ctx.sample("recipient_delivery_report_sms"));
    const staleHeaders = { ...(await ctx.headersFor(staleBody)), ...signature(ctx, staleBody, { timestamp: Math.floor(ctx.now() / 1000) - STALE_SECONDS }) };
    const stale = await ctx.send(staleBody, staleHeaders);
    probes.push(makeProbe(ctx, "valid signature, timestamp 1 h old", stale, "warn"));
    if (is2xx(stale)) {
      sentences.push(
        "A correctly signed callback with a 1 h old timestamp was accepted. That keeps Sinch's late retries (they run for 22 h 45 min, and Sinch does not say whether a retry is signed afresh); the cost is that a captured request can be replayed later — the Sinch Conversation docs recommend a small time window.",
      );
    } else if (isRetried(stale)) {
      sentences.push(
        `A correctly signed callback with a 1 h old timestamp was answered ${stale.status ?? "with no answer"}, which makes Sinch retry it; if Sinch's retries repeat the original signature, each one is refused again until Sinch gives up after 22 h 45 min. If you refuse stale signatures, refuse them with a 4xx.`,
      );
    } else {
      sentences.push(
        `A correctly signed callback with a 1 h old timestamp was refused (${stale.status}). That stops replays of captured requests; but if Sinch repeats its original signature when it retries (undocumented), every retry later than your window is refused, and a 4xx is final: the callback is lost. Log these refusals so you would notice.`,
      );
    }

    // The same signed request twice: a replay, or a Sinch retry that repeats its headers.
    const replayBody = json(await ctx.sample("mo_text"));
    const replayHeaders = await ctx.headersFor(replayBody);
    const first = await ctx.send(replayBody, replayHeaders);
    probes.push(makeProbe(ctx, "signed request, first copy", first, is2xx(first) ? "pass" : "warn"));
    const again = await ctx.send(replayBody, replayHeaders);
    probes.push(makeProbe(ctx, "the same signed request again (same nonce)", again, "warn"));
    if (!is2xx(first)) {
      sentences.push(
        `The first copy of a correctly signed callback was already answered ${first.status ?? "with no answer"}, so the replay says nothing; see hmac-refuses-forgeries.`,
      );
    } else if (is2xx(again)) {
      sentences.push(
        "The same signed request sent twice was accepted twice: a Sinch retry that repeats its signature gets through (make sure it is not processed twice — see idempotency), and so does a replay of a captured request.",
      );
    } else if (isRetried(again)) {
      sentences.push(
        `The same signed request sent again was answered ${again.status ?? "with no answer"} — over the reused nonce, or failing on the duplicate itself (see idempotency). Either way Sinch would retry it, and if its retries repeat the signature they can never succeed. Refuse a reused nonce with a 4xx, or accept it.`,
      );
    } else {
      sentences.push(
        `The same signed request sent again was refused (${again.status}), for its reused nonce or as a duplicate. That blocks replays; but if Sinch repeats the signature when it retries (undocumented) and your endpoint remembered the nonce of an attempt it then failed to process, the retry is refused, and a 4xx is final.`,
      );
    }
    sentences.push(
      "sinch-hooks reports this as a warning whichever way the endpoint answers, never as a failure, not even with --strict; `sinch-hooks listen` labels repeated signatures, so you can watch which way Sinch behaves.",
    );

    const text = `stale: ${side(stale)} ${stale.status ?? "no answer"} · replay: ${is2xx(first) ? side(again) : "untested"} ${again.status ?? "no answer"}`;
    return { name: FRESHNESS_NAME, verdict: "warn", figure: figure(text, probes), details: notesOf(probes), explanation: sentences.join(" "), probes };
  },
};
