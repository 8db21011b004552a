/**
 * credentials: with Basic or OAuth 2.0 configured (sinch-callbacks.md §4.1, Decisions e), missing and
 * wrong credentials are refused and the right ones accepted. For OAuth the token round trip is
 * exercised as Sinch is assumed to do it (client-credentials grant, HTTP Basic client authentication,
 * then `Authorization: Bearer`); the exchange itself is an assumption, since Sinch does not publish it.
 * Every request still carries a valid HMAC signature when a secret is configured, so only the credential
 * under test can be the reason for a refusal.
 */
import { randomBytes } from "node:crypto";
import { isSinchHooksError } from "../../errors.js";
import { basicAuthorization } from "../../sign/basic.js";
import { requestAccessToken } from "../../sign/oauth.js";
import type { HttpResult } from "../../send/http.js";
import { figure, formatMs, isFinal4xx, is2xx, makeProbe, notesOf } from "../probe.js";
import type { CheckContext, CheckDefinition, Probe } from "../types.js";

const NAME = "credentials";

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** A refusal is right as a 4xx, wrong as a 2xx, and unclear otherwise (5xx: Sinch would retry it). */
function judgeRefusal(res: HttpResult): Probe["verdict"] {
  if (is2xx(res)) return "fail";
  return isFinal4xx(res) ? "pass" : "warn";
}

async function sendWith(ctx: CheckContext, authorization: string | undefined): Promise<HttpResult> {
  const body = json(await ctx.sample("mo_text"));
  const headers = { ...(await ctx.headersFor(body)) };
  if (authorization === undefined) delete headers.authorization;
  else headers.authorization = authorization;
  return ctx.send(body, headers);
}

async function basicProbes(ctx: CheckContext, basic: { user: string; password: string }): Promise<Probe[]> {
  const probes: Probe[] = [];
  const right = await sendWith(ctx, basicAuthorization(basic.user, basic.password));
  probes.push(makeProbe(ctx, "Basic, right user and password", right, is2xx(right) ? "pass" : "fail"));
  const none = await sendWith(ctx, undefined);
  probes.push(makeProbe(ctx, "no Authorization header", none, judgeRefusal(none)));
  const wrongPassword = await sendWith(ctx, basicAuthorization(basic.user, `not-${basic.password}`));
  probes.push(makeProbe(ctx, "Basic, wrong password", wrongPassword, judgeRefusal(wrongPassword)));
  const wrongUser = await sendWith(ctx, basicAuthorization(`not-${basic.user}`, basic.password));
  probes.push(makeProbe(ctx, "Basic, wrong user", wrongUser, judgeRefusal(wrongUser)));
  return probes;
}

async function oauthProbes(ctx: CheckContext, oauth: NonNullable<CheckContext["oauth"]>): Promise<Probe[]> {
  const probes: Probe[] = [];
  const started = performance.now();
  let token: string | undefined;
  try {
    const issued = await requestAccessToken({ tokenUrl: oauth.tokenUrl, clientId: oauth.clientId, clientSecret: oauth.clientSecret, timeoutMs: ctx.timeoutMs });
    token = issued.accessToken;
    ctx.addSecret(token);
    const expiry = issued.expiresAt === null ? "no expires_in" : `expires in ${Math.round((issued.expiresAt - ctx.now()) / 1000)} s`;
    probes.push({
      label: "token request, right client credentials",
      status: null,
      latencyMs: performance.now() - started,
      verdict: "pass",
      note: `token request, right client credentials: ${issued.tokenType} token issued in ${formatMs(performance.now() - started)} (${expiry})`,
    });
  } catch (err) {
    if (!isSinchHooksError(err)) throw err;
    probes.push({
      label: "token request, right client credentials",
      status: null,
      latencyMs: performance.now() - started,
      error: ctx.redact(err.message),
      verdict: "fail",
      note: `token request, right client credentials: ${ctx.redact(err.message)}${err.hint ? ` (${err.hint})` : ""}`,
    });
  }

  // The token endpoint must not hand out tokens for a wrong secret: that would make the bearer check moot.
  const tokenUrl = new URL(oauth.tokenUrl);
  const wrongGrant = await ctx.sendTo(tokenUrl, {
    headers: {
      authorization: basicAuthorization(oauth.clientId, `not-${oauth.clientSecret}`),
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    },
    body: Buffer.from("grant_type=client_credentials"),
  });
  const wrongGrantVerdict = judgeRefusal(wrongGrant);
  const grantProbe = makeProbe(ctx, "token request, wrong client secret", wrongGrant, wrongGrantVerdict);
  // A token endpoint's status is not a callback status: what Sinch would "do" with it does not apply.
  grantProbe.note = `token request, wrong client secret: ${wrongGrant.status === undefined ? `no answer (${wrongGrant.error?.message ?? "network error"})` : `${wrongGrant.status} in ${formatMs(wrongGrant.latencyMs)}`}${wrongGrantVerdict === "fail" ? " — a token was issued for a wrong secret" : ""}`;
  probes.push(grantProbe);

  if (token !== undefined) {
    const right = await sendWith(ctx, `Bearer ${token}`);
    probes.push(makeProbe(ctx, "callback with the fresh bearer token", right, is2xx(right) ? "pass" : "fail"));
  }
  const none = await sendWith(ctx, undefined);
  probes.push(makeProbe(ctx, "no Authorization header", none, judgeRefusal(none)));
  const madeUp = await sendWith(ctx, `Bearer ${randomBytes(32).toString("base64url")}`);
  probes.push(makeProbe(ctx, "made-up bearer token", madeUp, judgeRefusal(madeUp)));
  return probes;
}

export const credentials: CheckDefinition = {
  name: NAME,
  summary: "with Basic or OAuth 2.0 configured: missing and wrong credentials are refused, the right ones accepted; OAuth does the token round trip",
  why:
    "An endpoint that accepts any credentials is open to anyone who finds the URL; one that refuses the right ones makes Sinch drop every callback with the first 401. " +
    "For OAuth, Sinch fetches a token from your token URL first (assumed: the client-credentials grant), so that endpoint must work, and must not issue tokens for a wrong secret.",
  needs: "credentials",
  async run(ctx) {
    const probes = ctx.basic ? await basicProbes(ctx, ctx.basic) : await oauthProbes(ctx, ctx.oauth!);
    const scheme = ctx.basic ? "Basic" : "OAuth 2.0";
    const failed = probes.filter((p) => p.verdict === "fail");
    const warned = probes.filter((p) => p.verdict === "warn");
    const rightLabels = new Set(["Basic, right user and password", "callback with the fresh bearer token", "token request, right client credentials"]);
    const rightFailed = failed.filter((p) => rightLabels.has(p.label));
    const wrongAccepted = failed.filter((p) => !rightLabels.has(p.label));

    const sentences: string[] = [];
    if (rightFailed.length > 0) {
      sentences.push(
        `The right ${scheme} credentials did not get through (${rightFailed.map((p) => p.label).join("; ")}). With a 401 Sinch drops every callback for good; with a 5xx it retries each for 22 h 45 min. Check that the endpoint expects exactly the credentials provisioned with Sinch.`,
      );
    }
    if (wrongAccepted.length > 0) {
      sentences.push(
        `Wrong credentials were accepted (${wrongAccepted.map((p) => p.label).join("; ")}), so anyone who knows the URL can post fake callbacks. Compare the credentials (in constant time) and answer 401 with a WWW-Authenticate challenge otherwise.`,
      );
    }
    if (warned.length > 0) {
      sentences.push(
        `Refused, but not with a 4xx (${warned.map((p) => p.label).join("; ")}). Sinch would retry a callback refused with a 5xx or no answer, so a credential problem shows up as a day of retries instead of a clear, final 401.`,
      );
    }
    if (sentences.length === 0) {
      sentences.push(
        ctx.basic
          ? "The right Basic credentials were accepted; no credentials, a wrong password and a wrong user were refused with a 4xx, which Sinch treats as final — right for a request that is not from Sinch."
          : "The token round trip worked (client-credentials grant with HTTP Basic client authentication — an assumption, Sinch does not publish its exchange), the fresh bearer token was accepted, a wrong client secret got no token, and a missing or made-up token was refused with a 4xx.",
      );
    }
    const verdict = failed.length > 0 ? "fail" : warned.length > 0 ? "warn" : "pass";
    const refusals = probes.filter((p) => !rightLabels.has(p.label));
    const refused = refusals.filter((p) => p.verdict !== "fail").length;
    const text = `${scheme}: ${refused}/${refusals.length} wrong refused · right ${rightFailed.length === 0 ? "accepted" : "refused"}`;
    return { name: NAME, verdict, figure: figure(text, probes), details: notesOf(probes), explanation: sentences.join(" "), probes };
  },
};
