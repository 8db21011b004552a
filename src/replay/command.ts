/**
 * `sinch-hooks replay`: send callback payloads (or `listen --record` recordings) to the developer's
 * endpoint the way Sinch would — signed, authenticated, paced — and check the answers.
 *
 * Order of work: flags (usage errors before stdin is read) → inputs (validated; nothing is sent if one
 * is refused) → plan → either --dry-run curl commands, or: OAuth token first (a failing token endpoint
 * stops the run before any callback is sent), send, one line per answer, summary, JUnit, exit code.
 *
 * Exit codes: 0 all answered (and all met --expect) · 1 an answer missed --expect · 2 usage or input
 * error · 3 unreachable target, a request without an answer, or a failing token endpoint · 130 Ctrl-C.
 */
import { setMaxListeners } from "node:events";
import { stat, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { InputError, NetworkError, UsageError } from "../errors.js";
import { colorEnabled, type Io, type Writer } from "../io.js";
import { createTheme, type Theme } from "../render/theme.js";
import { createAuthenticator } from "../send/auth.js";
import { createHttpClient, type HttpResult } from "../send/http.js";
import { freshen } from "../fixtures/samples.js";
import { loadCallbacks } from "../send/inputs.js";
import { snsEnvelopeFromFlags, wrapCallbacksForSns } from "../send/sns-envelope.js";
import { applyOverrides } from "../send/overrides.js";
import { commentLine, dryRunCurl, headerEnvName, isSecretHeader, oauthTokenLine, BASIC_ENV, OAUTH_CREDENTIALS_ENV, OAUTH_TOKEN_ENV } from "./dry-run.js";
import { MAX_REQUESTS, meetsExpectation, replayConfigFromFlags, type ReplayConfig, type ReplayFlags } from "./options.js";
import { planRequests, replayableHeaders, type PlannedRequest } from "./plan.js";
import { renderJunit, renderLine, renderSummary, requestJson, sinchAnnotation, summarize, summaryJson, type RequestResult } from "./report.js";
import { runRequests } from "./run.js";

export const EXIT_INTERRUPTED = 130;

/** Longest piece of a response body kept for the JUnit report of a missed expectation. */
const RESPONSE_EXCERPT = 500;

/**
 * Lines are collected and written once per event-loop turn (or every 64 KiB): at thousands of answers
 * a second, one write per line would cost more than the requests themselves.
 */
function batched(w: Writer): { write(s: string): void; flush(): void } {
  let buf = "";
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (buf === "") return;
    const chunk = buf;
    buf = "";
    w.write(chunk);
  };
  return {
    write(s) {
      buf += s;
      if (buf.length >= 65_536) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

/** The target as it may be printed: no query string, which can carry a token. */
function shownUrl(origin: string, path: string): string {
  const q = path.indexOf("?");
  return origin + (q === -1 ? path : `${path.slice(0, q)}?…`);
}

/** Recording headers, then ours (content type, --header, credentials, signatures); a recorded content type is kept unless --header sets one. */
function requestHeaders(recorded: Record<string, string>, ours: Record<string, string>, custom: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { "content-type": ours["content-type"] ?? "application/json" };
  if (recorded["content-type"] !== undefined && custom["content-type"] === undefined) out["content-type"] = recorded["content-type"];
  for (const [k, v] of Object.entries(recorded)) if (k !== "content-type") out[k] = v;
  for (const [k, v] of Object.entries(ours)) if (k !== "content-type") out[k] = v;
  return out;
}

function describeTimeout(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** No connection could be made at all: the target is not there, as opposed to answering badly. */
function isUnreachable(e: NonNullable<HttpResult["error"]>): boolean {
  return e.kind === "refused" || e.kind === "dns" || e.code === "UND_ERR_CONNECT_TIMEOUT" || e.code === "EHOSTUNREACH" || e.code === "ENETUNREACH" || e.code === "EADDRNOTAVAIL";
}

function unreachableError(e: NonNullable<HttpResult["error"]>, where: string, timeoutMs: number): NetworkError {
  if (e.kind === "refused") {
    return new NetworkError(`cannot reach ${where}: connection refused`, { code: "SH_TARGET_UNREACHABLE", hint: "is your app running? check the host and port in --to (or SINCH_HOOKS_TARGET)" });
  }
  if (e.kind === "dns") {
    return new NetworkError(`cannot reach ${where}: host name not found`, { code: "SH_TARGET_UNREACHABLE", hint: "check the host name in --to (or SINCH_HOOKS_TARGET)" });
  }
  if (e.code === "UND_ERR_CONNECT_TIMEOUT") {
    return new NetworkError(`cannot reach ${where}: no connection within ${describeTimeout(Math.min(timeoutMs, 10_000))}`, { code: "SH_TARGET_UNREACHABLE", hint: "check the host and port in --to, and any firewall in between" });
  }
  return new NetworkError(`cannot reach ${where}: ${e.message}`, { code: "SH_TARGET_UNREACHABLE", hint: "check the host and port in --to, and that this machine has a route to it" });
}

function noAnswerError(noAnswer: number, sent: number, byReason: Record<string, number>, timeoutMs: number): NetworkError {
  const reasons = Object.entries(byReason).map(([r, n]) => `${r} ×${n}`).join(", ");
  let hint = "check your app's logs: it closed connections without answering";
  if (byReason.timeout) hint = `the endpoint did not answer within ${describeTimeout(timeoutMs)}; raise --timeout if it is just slow`;
  else if (byReason["connection refused"]) hint = "the app stopped accepting connections during the run; is it still running?";
  return new NetworkError(`${noAnswer} of ${sent} request${sent === 1 ? "" : "s"} got no answer (${reasons})`, { code: "SH_TARGET_NO_ANSWER", hint });
}

/**
 * The bytes for one request. --fresh applies per request, not once per run: with --repeat, every
 * round gets new ids and timestamps (then --set again, so a field set by hand still wins), otherwise
 * the endpoint would rightly drop rounds 2… as duplicates. Without --fresh, rounds are identical.
 */
function bodyFor(req: PlannedRequest, cfg: ReplayConfig, now: number): Buffer {
  if (req.round === 1 || !cfg.fresh || req.callback.payload === undefined) return req.callback.body;
  return Buffer.from(JSON.stringify(applyOverrides(freshen(req.callback.payload, { now }), cfg.overrides)));
}

async function checkJunitPath(file: string, cwd: string): Promise<string> {
  const path = resolve(cwd, file);
  let dir;
  try {
    dir = await stat(dirname(path));
  } catch {
    throw new UsageError(`--junit: directory ${dirname(file)} does not exist`, "create it first, or point --junit at an existing directory");
  }
  if (!dir.isDirectory()) throw new UsageError(`--junit: ${dirname(file)} is not a directory`);
  return path;
}

export async function runReplay(inputs: readonly string[], flags: ReplayFlags, io: Io, signal: AbortSignal): Promise<number> {
  const cfg = replayConfigFromFlags(flags, io.env);
  const junitPath = cfg.junit === undefined ? undefined : await checkJunitPath(cfg.junit, io.cwd);

  const sns = await snsEnvelopeFromFlags(flags);
  let callbacks = await loadCallbacks(inputs, io, { allowInvalid: cfg.allowInvalid, overrides: cfg.overrides, fresh: cfg.fresh });
  // A recording whose body is not JSON has no schema verdict, but it is just as invalid as a payload
  // that fails the schema: refused the same way.
  const notJson = callbacks.filter((c) => c.payload === undefined);
  if (notJson.length > 0 && !cfg.allowInvalid) {
    throw new InputError(`${notJson[0]!.name}: the recorded body is not JSON${notJson.length > 1 ? ` (and ${notJson.length - 1} more)` : ""}, nothing was sent`, "pass --allow-invalid to send it anyway and see how your endpoint handles it");
  }

  if (sns) {
    const wrapped = wrapCallbacksForSns(callbacks, sns, io.now());
    callbacks = wrapped.callbacks;
    io.stderr.write(`note: ${wrapped.note}\n`);
  }

  if (callbacks.length * cfg.repeat > MAX_REQUESTS) {
    throw new UsageError(`${callbacks.length} payloads × --repeat ${cfg.repeat} is more than ${MAX_REQUESTS.toLocaleString("en-US")} requests`, "lower --repeat, or run several times");
  }
  const plan = planRequests(callbacks, { target: cfg.target, repeat: cfg.repeat, appendPath: cfg.appendPath });
  const recorded = new Map(callbacks.map((c) => [c, replayableHeaders(c.headers)]));
  const out = batched(io.stdout);
  const theme = createTheme(colorEnabled(io.env, io.stdout));
  const errTheme = createTheme(colorEnabled(io.env, io.stderr));

  if (cfg.dryRun) return dryRun(cfg, plan.requests, recorded, io, out, errTheme);

  const where = shownUrl(cfg.target.origin, cfg.target.pathname + cfg.target.search);
  const authenticator = createAuthenticator(cfg.auth, { now: io.now });
  io.stderr.write(banner(cfg, plan.requests.length, callbacks.length, where, authenticator.describe(), plan.usesRecordedPaths, errTheme));
  if (cfg.auth.nonce !== undefined && plan.requests.length > 1) {
    io.stderr.write(`${errTheme.yellow("note:")} every request carries the same --nonce; a receiver that remembers nonces will flag all but the first as replays\n`);
  }
  if (cfg.auth.oauth) {
    // Fetched before any callback goes out, so a failing token endpoint is one clear error (exit 3)
    // rather than a run of failed requests. The token is then cached until it expires.
    await authenticator.headersFor(Buffer.alloc(0));
  }

  // Stops the run on Ctrl-C, or when the very first answer shows the target is not there at all: no
  // new request starts, and the client's pool is destroyed, which cuts off the ones in flight.
  const halt = new AbortController();
  // Workers waiting for a --rate slot listen to it too (up to --concurrency at once): not a leak.
  setMaxListeners(0, halt.signal);
  const onSignal = (): void => halt.abort();
  if (signal.aborted) halt.abort();
  else signal.addEventListener("abort", onSignal, { once: true });
  const client = await createHttpClient(cfg.target.origin, { timeoutMs: cfg.timeoutMs, connections: cfg.concurrency, signal: halt.signal });

  const results: (RequestResult | undefined)[] = Array.from({ length: plan.requests.length }, () => undefined);
  let answered = 0;
  let unreachable: NetworkError | undefined;
  const startedAt = io.now();

  // Without signatures or tokens, a callback's headers are the same for every request: built once.
  const perRequestAuth = cfg.auth.hmacSecret !== undefined || cfg.auth.oauth !== undefined;
  const staticHeaders = new Map<PlannedRequest["callback"], Record<string, string>>();
  const headersFor = async (req: PlannedRequest, body: Buffer): Promise<Record<string, string>> => {
    const headers = requestHeaders(recorded.get(req.callback)!, await authenticator.headersFor(body), cfg.auth.headers ?? {});
    if (!perRequestAuth) staticHeaders.set(req.callback, headers);
    return headers;
  };
  const annotations = new Map<number, RequestResult["sinch"]>();
  const annotate = (status: number): RequestResult["sinch"] => {
    let a = annotations.get(status);
    if (!a) annotations.set(status, (a = sinchAnnotation(status)));
    return a;
  };
  const expectation = cfg.expect;
  // The body of an answer is only kept for one that missed --expect (the JUnit report shows it).
  const readBody = expectation ? (status: number): boolean => !meetsExpectation(status, expectation) : (): boolean => false;

  const send = async (index: number): Promise<RequestResult> => {
    const req = plan.requests[index]!;
    const started = io.now();
    const body = bodyFor(req, cfg, started);
    // A cached set is taken without an await: one microtask less per request on the fast path.
    const headers = staticHeaders.get(req.callback) ?? (await headersFor(req, body));
    const res = await client.send({ path: req.path, headers, body, readBody });
    // One object per request, built in one go: at thousands a second, copies and spreads show up.
    const r: RequestResult = {
      seq: req.seq,
      label: req.label,
      name: req.callback.name,
      round: req.round,
      type: req.callback.type,
      valid: req.callback.validation ? req.callback.validation.ok : null,
      path: req.path,
      startedAt: started,
      latencyMs: res.latencyMs,
      status: res.ok ? res.status : undefined,
      error: undefined,
      aborted: undefined,
      expected: null,
      sinch: undefined as unknown as RequestResult["sinch"],
      nonce: headers["x-sinch-webhook-signature-nonce"],
      responseExcerpt: undefined,
    };
    if (r.status === undefined) {
      if (halt.signal.aborted) r.aborted = true;
      else r.error = res.error;
      r.sinch = sinchAnnotation(undefined, r.aborted ? "other" : res.error?.kind);
      return r;
    }
    r.sinch = annotate(r.status);
    if (expectation) {
      r.expected = meetsExpectation(r.status, expectation);
      if (!r.expected && res.body) r.responseExcerpt = res.body.slice(0, RESPONSE_EXCERPT);
    }
    return r;
  };

  const onResult = (index: number, r: RequestResult): void => {
    results[index] = r;
    if (r.status !== undefined) answered++;
    if (r.error && answered === 0 && !unreachable && isUnreachable(r.error)) {
      // Nothing has answered and nothing can connect: one clear error instead of a line per request.
      unreachable = unreachableError(r.error, where, cfg.timeoutMs);
      halt.abort();
      return;
    }
    if (unreachable) return;
    out.write(cfg.json ? requestJson(r, shownUrl(cfg.target.origin, r.path)) : renderLine(r, theme, cfg.expect?.text) + "\n");
  };

  let fatal: unknown;
  let durationMs = 0;
  try {
    ({ durationMs } = await runRequests({ total: plan.requests.length, concurrency: cfg.concurrency, ratePerSecond: cfg.ratePerSecond, signal: halt.signal, send, onResult }));
  } catch (err) {
    // An OAuth token refresh failed mid-run: report what was sent, then the error.
    fatal = err;
    halt.abort();
  } finally {
    signal.removeEventListener("abort", onSignal);
    await client.close();
  }

  if (unreachable) {
    out.flush();
    throw unreachable;
  }
  const interrupted = signal.aborted;
  const summary = summarize(results, { target: where, expect: cfg.expect?.text, durationMs, concurrency: cfg.concurrency, interrupted: interrupted || fatal !== undefined });
  let exitCode = 0;
  if (interrupted) exitCode = EXIT_INTERRUPTED;
  else if (fatal !== undefined || summary.noAnswer > 0) exitCode = 3;
  else if (summary.missed > 0) exitCode = 1;
  out.write(cfg.json ? summaryJson(summary, exitCode) : renderSummary(summary, theme));
  out.flush();

  if (junitPath) {
    const cases = plan.requests.map((r, i) => ({ seq: r.seq, label: r.label, type: r.callback.type, result: results[i] }));
    try {
      await writeFile(junitPath, renderJunit(cases, summary, { startedAt, expectText: cfg.expect?.text }));
    } catch (err) {
      throw new InputError(`--junit: cannot write ${cfg.junit}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, "check the path and its permissions");
    }
  }

  if (fatal !== undefined) throw fatal;
  if (exitCode === 3) throw noAnswerError(summary.noAnswer, summary.sent, summary.noAnswerByReason, cfg.timeoutMs);
  if (interrupted) io.stderr.write(`${errTheme.yellow("Interrupted:")} ${summary.notSent} of ${summary.planned} requests not sent.\n`);
  return exitCode;
}

function banner(cfg: ReplayConfig, total: number, payloads: number, where: string, auth: string, recordedPaths: boolean, theme: Theme): string {
  const count = cfg.repeat > 1 ? `${payloads} payload${payloads === 1 ? "" : "s"} × ${cfg.repeat} = ${total} requests` : `${total} payload${total === 1 ? "" : "s"}`;
  const parts = [`auth ${auth}`, `concurrency ${cfg.concurrency}`];
  if (cfg.ratePerSecond !== undefined) parts.push(`rate ${Number(cfg.ratePerSecond.toFixed(3))}/s`);
  parts.push(`timeout ${describeTimeout(cfg.timeoutMs)}`);
  let text = `${theme.bold("Replaying")} ${count} to ${where}${recordedPaths ? " (+ recorded paths)" : ""} · ${parts.join(" · ")}\n`;
  if (cfg.auth.oauth) text += `${theme.dim("  OAuth: client-credentials grant, as the tool assumes Sinch does (Sinch does not publish its exchange)")}\n`;
  return text;
}

async function dryRun(
  cfg: ReplayConfig,
  requests: readonly PlannedRequest[],
  recorded: Map<PlannedRequest["callback"], Record<string, string>>,
  io: Io,
  out: { write(s: string): void; flush(): void },
  theme: Theme,
): Promise<number> {
  // Signatures are computed here (they reveal nothing about the secret); credentials are not:
  // the commands read them from the environment (see dry-run.ts).
  const signer = createAuthenticator({ hmacSecret: cfg.auth.hmacSecret, nonce: cfg.auth.nonce, timestamp: cfg.auth.timestamp, headers: cfg.auth.headers }, { now: io.now });
  // Secret-looking headers from --header and from recordings alike (a recording keeps the custom
  // headers Sinch sent, which may be an API key): printed as environment references, never as values.
  const names = new Set([...Object.keys(cfg.auth.headers ?? {}), ...[...recorded.values()].flatMap((h) => Object.keys(h))]);
  const secretHeaders = [...names].filter(isSecretHeader);
  const secrets = { basic: cfg.auth.basic !== undefined, oauth: cfg.auth.oauth !== undefined, secretHeaders };
  if (cfg.auth.oauth) {
    const line = oauthTokenLine(cfg.auth.oauth.tokenUrl);
    out.write(cfg.json ? `${JSON.stringify({ event: "setup", shell: line })}\n` : `# OAuth: fetch a bearer token (client-credentials grant) unless ${OAUTH_TOKEN_ENV} is set\n${line}\n\n`);
  }
  for (const req of requests) {
    const body = bodyFor(req, cfg, io.now());
    const ours = await signer.headersFor(body);
    const url = cfg.target.origin + req.path;
    const command = dryRunCurl({ seq: req.seq, label: req.label, type: req.callback.type, url, headers: requestHeaders(recorded.get(req.callback)!, ours, cfg.auth.headers ?? {}), body }, secrets);
    if (cfg.json) {
      out.write(`${JSON.stringify({ event: "request", dry_run: true, seq: req.seq, name: req.callback.name, round: req.round, type: req.callback.type, url: shownUrl(cfg.target.origin, req.path), curl: command })}\n`);
    } else {
      out.write(`${commentLine({ seq: req.seq, label: req.label, type: req.callback.type })}\n${command}\n\n`);
    }
  }
  out.flush();

  const needs: string[] = [];
  if (secrets.basic) needs.push(`${BASIC_ENV} (user:password for Basic)${cfg.basicFromEnv ? " — already set here" : ""}`);
  if (secrets.oauth) needs.push(`${OAUTH_CREDENTIALS_ENV} (client id:secret for the token URL), or ${OAUTH_TOKEN_ENV} (a bearer token)`);
  for (const h of secretHeaders) needs.push(`${headerEnvName(h)} (the value of the ${h} header)`);
  let note = `${theme.dim(`dry run: ${requests.length} curl command${requests.length === 1 ? "" : "s"} printed, nothing sent`)}\n`;
  if (needs.length > 0) note += `${theme.yellow("note:")} secrets are not printed; the commands read them from the environment, so set first:\n${needs.map((n) => `  ${n}\n`).join("")}`;
  if (cfg.auth.hmacSecret && cfg.auth.timestamp === undefined) note += `${theme.dim(`signatures carry the time of printing; a receiver with a 300 s tolerance calls them stale after that (use --timestamp to fix it)`)}\n`;
  io.stderr.write(note);
  return 0;
}
