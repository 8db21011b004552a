/**
 * `sinch-hooks simulate-retries`: play Sinch's retry schedule against the developer's endpoint and say,
 * attempt by attempt, what Sinch would do. The one place in src/simulate that acts: it reads inputs,
 * opens the HTTP client, runs the engine on the chosen clock, prints, writes the JUnit file and picks
 * the exit code. Everything it decides with comes from options.ts, plan.ts and report.ts.
 *
 * Exit codes: 0 done (and every callback met --expect / --expect-attempts) · 1 an expectation missed ·
 * 2 usage or input error · 3 the target never answered at all and no expectation was given (see
 * `exitCodeFor`) · 130 stopped with Ctrl-C (the report is still printed).
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { NetworkError, UsageError } from "../errors.js";
import { FIXTURES_DIR } from "../fixtures/samples.js";
import { colorEnabled, type Io } from "../io.js";
import { renderError } from "../render/error.js";
import { createTheme, type Theme } from "../render/theme.js";
import { createScaledClock, createVirtualClock, systemClock, type Clock } from "../retry/clock.js";
import { createAuthenticator } from "../send/auth.js";
import { HMAC_HEADERS } from "../sign/hmac.js";
import { createHttpClient, type HttpResult } from "../send/http.js";
import { loadCallbacks, type OutgoingCallback } from "../send/inputs.js";
import { snsEnvelopeFromFlags, wrapCallbacksForSns } from "../send/sns-envelope.js";
import { requestPath } from "../send/target.js";
import { copyCallbacks } from "./copies.js";
import { simulateRetries, type ProgressSnapshot, type SimulationResult } from "./engine.js";
import { formatCompactOffset, formatDuration, formatRate } from "./format.js";
import { renderJunit } from "./junit.js";
import { simulateConfigFromFlags, type ClockSpec, type SimulateConfig, type SimulateFlags } from "./options.js";
import { missedExpectations } from "./plan.js";
import { renderProgress } from "./progress.js";
import {
  attemptJson,
  callbackJson,
  clockLabel,
  countOutcomes,
  describeClock,
  outcomeText,
  rateModelDescription,
  renderRateTimeline,
  renderSchedule,
  renderSummary,
  renderTimeline,
  renderTimelines,
  scheduleJson,
  summaryJson,
  type ReportContext,
} from "./report.js";

/** Shell convention for "stopped by SIGINT" (128 + 2); replay uses it too. */
export const EXIT_INTERRUPTED = 130;
/** The sample sent when no file is given, so `simulate-retries --to URL` works on its own. */
export const DEFAULT_SAMPLE = "mo_text";
/** Attempts in flight at once: the HTTP pool's connections. */
const CONCURRENCY = 64;

export function createClock(spec: ClockSpec, startMs: number): Clock {
  if (spec.kind === "virtual") return createVirtualClock(startMs);
  if (spec.kind === "real") return systemClock;
  return createScaledClock(spec.factor);
}

/** The target as it may be printed: no query string, which can carry a token. */
function shownUrl(target: URL): string {
  return `${target.origin}${target.pathname}${target.search ? "?…" : ""}`;
}

/** Recorded headers (recordings only), then ours; a recorded content type is kept unless --header sets one. */
function requestHeaders(recorded: Record<string, string>, ours: Record<string, string>, custom: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...ours };
  for (const [k, v] of Object.entries(recorded)) {
    if (k === "content-type" ? custom["content-type"] === undefined : !(k in ours)) out[k] = v;
  }
  return out;
}

/** No connection could be made at all: nothing is listening there, as opposed to answering badly. */
function isUnreachable(e: NonNullable<HttpResult["error"]>): boolean {
  return e.kind === "refused" || e.kind === "dns" || e.code === "UND_ERR_CONNECT_TIMEOUT" || e.code === "EHOSTUNREACH" || e.code === "ENETUNREACH" || e.code === "EADDRNOTAVAIL";
}

/**
 * Decisions (b) makes a refused connection a *retry* outcome, so it is simulated like any other answer
 * and the report shows what Sinch would do. Exit 3 is kept for one case only: no expectation was given
 * and not a single attempt reached the endpoint (every one refused or unresolvable). That run tested
 * nothing about the endpoint — almost always a wrong --to — and CI should not pass it as 0. With
 * --expect the user has said what they expect (e.g. `--expect exhausted` for "my app is down"), and the
 * expectation alone decides.
 */
export function exitCodeFor(result: SimulationResult, cfg: Pick<SimulateConfig, "expect">): number {
  if (result.interrupted) return EXIT_INTERRUPTED;
  const c = countOutcomes(result, cfg.expect);
  if (cfg.expect.outcome !== undefined || cfg.expect.attempts !== undefined) return c.missed > 0 ? 1 : 0;
  const attempts = result.callbacks.flatMap((cb) => cb.attempts);
  if (attempts.length > 0 && attempts.every((a) => a.status === undefined && a.error !== undefined && isUnreachable(a.error))) return 3;
  return 0;
}

function header(cfg: SimulateConfig, target: URL, callbacks: readonly OutgoingCallback[], inputsNote: string, authText: string, theme: Theme): string {
  const row = (k: string, v: string): string => `  ${theme.dim(k.padEnd(9))} ${v}\n`;
  const last = cfg.schedule.attempts.at(-1)!;
  let out = `${theme.bold("simulate-retries")} → ${shownUrl(target)}\n`;
  out += row("inputs", `${callbacks.length} callback${callbacks.length === 1 ? "" : "s"}${inputsNote}`);
  out += row("schedule", `${cfg.schedule.name} — ${cfg.schedule.attempts.length} attempt${cfg.schedule.attempts.length === 1 ? "" : "s"}, the last at ${formatCompactOffset(last.offsetMs)}${cfg.schedule.cappedAt !== undefined ? ` (capped by --max-retries ${cfg.schedule.cappedAt})` : ""}`);
  out += row("", theme.dim(cfg.schedule.description));
  out += row("clock", describeClock(cfg.clock));
  out += row("timeout", `${formatDuration(cfg.timeoutMs)} per attempt (Sinch documents none; a timeout is retried: assumption)`);
  out += row("auth", authText);
  if (cfg.ratePerSecond !== undefined) out += row("rate", `${formatRate(cfg.ratePerSecond)} (${rateModelDescription(cfg.ratePerSecond)})`);
  return out + "\n";
}

export async function runSimulateRetries(files: readonly string[], flags: SimulateFlags, io: Io, signal: AbortSignal): Promise<number> {
  const cfg = simulateConfigFromFlags(flags, io.env);
  const theme = createTheme(colorEnabled(io.env, io.stdout));

  if (cfg.printSchedule) {
    if (cfg.json) for (const o of scheduleJson(cfg.schedule)) io.stdout.write(JSON.stringify(o) + "\n");
    else io.stdout.write(renderSchedule(cfg.schedule, theme));
    return 0;
  }
  const target = cfg.target!;

  // --- Inputs: the files given, or the bundled sample --------------------------------------------------
  const bundled = files.length === 0;
  const specs = bundled ? [fileURLToPath(new URL(`${DEFAULT_SAMPLE}.json`, FIXTURES_DIR))] : files;
  const loadOpts = { allowInvalid: cfg.allowInvalid, overrides: cfg.overrides, fresh: cfg.fresh };
  let callbacks = await loadCallbacks(specs, io, loadOpts);
  if (bundled) callbacks = callbacks.map((c) => ({ ...c, name: `${DEFAULT_SAMPLE} (bundled sample)` }));
  if (cfg.count !== undefined) {
    if (callbacks.length !== 1) {
      throw new UsageError(`--count makes copies of one callback, but the inputs hold ${callbacks.length}`, "pass one payload file with --count, or leave --count out to run each input once");
    }
    callbacks = copyCallbacks(callbacks[0]!, cfg.count, io, loadOpts);
  }
  const sns = await snsEnvelopeFromFlags(flags);
  if (sns) {
    const wrapped = wrapCallbacksForSns(callbacks, sns, io.now());
    callbacks = wrapped.callbacks;
    io.stderr.write(`note: ${wrapped.note}\n`);
  }
  const inputsNote = bundled
    ? `: no file given, sending the bundled ${DEFAULT_SAMPLE} sample (\`sinch-hooks fixtures ${DEFAULT_SAMPLE}\`)${cfg.count !== undefined ? `, ${cfg.count} copies` : ""}`
    : cfg.count !== undefined
      ? `: ${cfg.count} copies of ${callbacks[0]!.name.replace(/ #1$/, "")}${cfg.fresh ? ", each with its own ids (--fresh)" : ""}`
      : "";

  // --- Sending: one authenticator, one HTTP pool -------------------------------------------------------
  // Signatures use the wall clock (io.now), not the simulation's: the endpoint checks timestamps against
  // its own clock, so a fresh signature must be fresh for it on every clock.
  const auth = createAuthenticator(cfg.auth, { now: io.now });
  const hmac = cfg.auth.hmacSecret !== undefined;
  const authText =
    auth.describe() === "none"
      ? "none"
      : `${auth.describe()}${hmac ? (cfg.reuseSignature ? "; every attempt repeats the first attempt's signature (--reuse-signature)" : "; signed afresh for every attempt (new nonce and timestamp)") : ""}`;
  const client = await createHttpClient(target.origin, { timeoutMs: cfg.timeoutMs, connections: CONCURRENCY });
  const firstSignature = new Map<number, Record<string, string>>();
  const customHeaders = cfg.auth.headers ?? {};
  const appendPath = target.pathname === "/" || target.pathname === "";
  const send = async (cb: OutgoingCallback, req: { index: number; attempt: number; signal: AbortSignal }): Promise<HttpResult> => {
    // A fresh nonce and timestamp per attempt (headersFor signs afresh each call); --reuse-signature then
    // puts back the first attempt's four signature headers. Sinch does not say which it does (§8 point 6).
    const headers = requestHeaders(cb.headers, await auth.headersFor(cb.body), customHeaders);
    if (cfg.reuseSignature) {
      const first = firstSignature.get(req.index);
      if (first) Object.assign(headers, first);
      else firstSignature.set(req.index, Object.fromEntries(Object.values(HMAC_HEADERS).map((h) => [h, headers[h]!])));
    }
    return client.send({ path: requestPath(target, cb.path, appendPath), headers, body: cb.body, signal: req.signal });
  };

  const ctx: ReportContext = {
    theme,
    names: callbacks.map((c) => c.name),
    types: callbacks.map((c) => c.type),
    schedule: cfg.schedule,
    clock: cfg.clock,
    reuseSignature: cfg.reuseSignature,
    ...(cfg.ratePerSecond !== undefined ? { ratePerSecond: cfg.ratePerSecond } : {}),
    expect: cfg.expect,
  };

  const clock = createClock(cfg.clock, io.now());
  const showProgress = !cfg.json && io.stdout.isTTY === true && cfg.clock.kind !== "virtual";
  let snapshot: ProgressSnapshot | null = null;
  const drawProgress = (): void => {
    if (snapshot) io.stdout.write(`\r\u001b[2K${renderProgress(snapshot, clock.now(), cfg.clock, theme)}`);
  };
  const ticker = showProgress ? setInterval(drawProgress, 200) : undefined;
  ticker?.unref();

  if (!cfg.json) io.stdout.write(header(cfg, target, callbacks, inputsNote, authText, theme));
  else if (bundled) io.stderr.write(`no file given: sending the bundled ${DEFAULT_SAMPLE} sample\n`);

  const wallStart = performance.now();
  let result: SimulationResult;
  try {
    // OAuth: fetch the token before the first callback, so a failing token endpoint stops the run
    // (exit 3) instead of showing up as a failed attempt of the endpoint under test.
    if (cfg.auth.oauth) await auth.headersFor(callbacks[0]!.body);
    result = await simulateRetries({
      callbacks,
      schedule: cfg.schedule.retries,
      send,
      clock,
      signal,
      concurrency: CONCURRENCY,
      ...(cfg.ratePerSecond !== undefined ? { ratePerSecond: cfg.ratePerSecond } : {}),
      onAttempt: cfg.json ? (r) => void io.stdout.write(JSON.stringify(attemptJson(r, ctx)) + "\n") : undefined,
      onProgress: showProgress
        ? (p) => {
            snapshot = p;
          }
        : undefined,
    });
  } finally {
    if (ticker) {
      clearInterval(ticker);
      io.stdout.write("\r\u001b[2K");
    }
    await client.close();
  }
  const wallMs = performance.now() - wallStart;
  const exitCode = exitCodeFor(result, cfg);

  // --- Report -----------------------------------------------------------------------------------------
  if (cfg.json) {
    for (const cb of result.callbacks) io.stdout.write(JSON.stringify(callbackJson(cb, ctx)) + "\n");
    io.stdout.write(JSON.stringify(summaryJson(result, ctx, { target: shownUrl(target), timeoutMs: cfg.timeoutMs, wallMs, exitCode })) + "\n");
  } else {
    io.stdout.write(renderTimelines(result, ctx) + "\n");
    if (cfg.ratePerSecond !== undefined) io.stdout.write(renderRateTimeline(result.rateChanges, cfg.ratePerSecond, theme) + "\n");
    io.stdout.write(renderSummary(result, ctx, wallMs));
  }

  if (cfg.junit !== undefined) await writeJunit(cfg.junit, result, ctx, wallMs, io.now());

  if (exitCode === 3) {
    io.stderr.write(
      renderError(
        new NetworkError(`the target never answered: every attempt to ${shownUrl(target)} failed to connect`, {
          hint: "check --to and that your app is running; to simulate an app that is down on purpose, add --expect exhausted",
          code: "SH_TARGET_UNREACHABLE",
        }),
        createTheme(colorEnabled(io.env, io.stderr)),
      ),
    );
  }
  return exitCode;
}

async function writeJunit(file: string, result: SimulationResult, ctx: ReportContext, wallMs: number, nowMs: number): Promise<void> {
  const plain: ReportContext = { ...ctx, theme: createTheme(false) };
  const cases = result.callbacks.map((cb) => {
    const missed = missedExpectations(cb.outcome, ctx.expect);
    const timeline = renderTimeline(cb, plain);
    return {
      name: ctx.names[cb.index] ?? `#${cb.index + 1}`,
      classname: `simulate-retries.${ctx.schedule.name}`,
      // Real time spent waiting for this callback's answers; the simulated span is in the timeline.
      time: cb.attempts.reduce((s, a) => s + a.latencyMs, 0) / 1000,
      ...(missed.length > 0 ? { failure: { message: `${missed.join("; ")}: ${outcomeText(cb.outcome)}`, body: timeline } } : {}),
      systemOut: timeline,
    };
  });
  const xml = renderJunit({ name: `sinch-hooks simulate-retries (${ctx.schedule.name}, ${clockLabel(ctx.clock)} clock)`, time: wallMs / 1000, timestamp: new Date(nowMs).toISOString(), cases });
  try {
    await writeFile(file, xml);
  } catch (err) {
    throw new UsageError(`cannot write --junit ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, "check that the directory exists and is writable");
  }
}
