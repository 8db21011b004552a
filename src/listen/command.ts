/**
 * `sinch-hooks listen`: flags → ListenOptions, start the listener, open the tunnel, print the banner,
 * stream events, and shut down cleanly when the CLI's signal fires.
 */
import { SinchHooksError, UsageError, isSinchHooksError } from "../errors.js";
import { colorEnabled, type Io } from "../io.js";
import { renderError } from "../render/error.js";
import type { Theme } from "../render/theme.js";
import { createTheme } from "../render/theme.js";
import { OAUTH_TOKEN_PATH } from "../sign/oauth.js";
import { CALLBACK_TYPES } from "../schemas/types.js";
import { listen, type ListenEvent, type ListenOptions } from "./index.js";
import { renderHuman, renderJson, shouldShow, type OutputOptions } from "./output.js";
import { parseRespondSpec } from "./respond.js";

/** Options as commander hands them over (already type-parsed by program.ts). */
export interface ListenFlags {
  host: string;
  port: number;
  maxBody: number;
  hmacSecret?: string;
  strictSignatures?: boolean;
  signatureTolerance: number;
  basicAuth?: { user: string; password: string };
  oauth?: { user: string; password: string };
  oauthTokenTtl: number;
  strict?: boolean;
  respond?: string;
  forwardTo?: string;
  forwardTimeout: number;
  record?: string;
  redact?: boolean;
  verbose?: boolean;
  filter?: string[];
  snsConfirm?: "auto" | "manual";
  snsForward?: "callback" | "envelope";
  json?: boolean;
  tunnel: "auto" | "ngrok" | "ngrok-agent" | "manual" | "none";
  ngrokAuthtoken?: string;
  ngrokDomain?: string;
  ngrokApi?: string;
  publicUrl?: string;
  requireTunnel?: boolean;
  tunnelTimeout: number;
  ngrokServerAddr?: string;
  /** --no-inspect sets false; left out (programmatic callers), the inspector is on, as on the command line. */
  inspect?: boolean;
  /** --inspect-port; left out: 7463, or a free port when 7463 is busy. */
  inspectPort?: number;
  /** --inspect-history; left out: 500. */
  inspectHistory?: number;
  /** --send-test NUMBER: send one test SMS once the tunnel is up, with the public URL as callback_url. */
  sendTest?: string;
}

/** Largest --inspect-history: with the 64 MB body budget, more entries would only hold tiny callbacks. */
const MAX_INSPECT_HISTORY = 100_000;

export interface InspectSettings {
  port?: number;
  history?: number;
}

/** The inspector's flags, checked together: undefined means --no-inspect. */
export function inspectSettingsFromFlags(flags: ListenFlags): InspectSettings | undefined {
  if (flags.inspect === false) {
    const extra = flags.inspectPort !== undefined ? "--inspect-port" : flags.inspectHistory !== undefined ? "--inspect-history" : undefined;
    if (extra) throw new UsageError(`${extra} cannot be combined with --no-inspect`, "drop one of them");
    return undefined;
  }
  if (flags.inspectPort !== undefined && flags.inspectPort !== 0 && flags.inspectPort === flags.port) {
    throw new UsageError(`--inspect-port ${flags.inspectPort} is the listener's own --port`, "the inspector needs a port of its own; leave --inspect-port out for the default (7463)");
  }
  if (flags.inspectHistory !== undefined && (!Number.isInteger(flags.inspectHistory) || flags.inspectHistory < 1 || flags.inspectHistory > MAX_INSPECT_HISTORY)) {
    throw new UsageError(`--inspect-history must be a whole number from 1 to ${MAX_INSPECT_HISTORY} (got ${flags.inspectHistory})`);
  }
  return { port: flags.inspectPort, history: flags.inspectHistory };
}

export function listenOptionsFromFlags(input: ListenFlags, version: string): ListenOptions {
  let flags = input;
  if (flags.strictSignatures && !flags.hmacSecret) {
    throw new UsageError("--strict-signatures needs --hmac-secret", "pass --hmac-secret S (or set SINCH_HOOKS_HMAC_SECRET)");
  }
  // An empty value (e.g. SINCH_HOOKS_HMAC_SECRET= in a CI env) counts as unset, as NGROK_AUTHTOKEN does;
  // the banner then shows "Auth none", so it cannot go unnoticed.
  if (flags.hmacSecret === "") flags = { ...flags, hmacSecret: undefined };
  if (flags.basicAuth && flags.oauth) {
    throw new UsageError("--basic-auth and --oauth cannot be combined", "both use the Authorization header; Sinch allows HMAC with either one (add --hmac-secret)");
  }
  // createTokenStore refuses a TTL below one second; say so in flag terms first.
  if (flags.oauthTokenTtl < 1) throw new UsageError("--oauth-token-ttl must be at least 1 second");
  for (const t of flags.filter ?? []) {
    if (!(CALLBACK_TYPES as readonly string[]).includes(t)) {
      throw new UsageError(`--filter: unknown callback type "${t}"`, `known types: ${CALLBACK_TYPES.join(", ")}`);
    }
  }
  if (flags.tunnel === "manual" && !flags.publicUrl) throw new UsageError("--tunnel manual needs --public-url", "e.g. --public-url https://my-proxy.example.com");
  return {
    host: flags.host,
    port: flags.port,
    maxBodyBytes: flags.maxBody,
    hmac: flags.hmacSecret ? { secret: flags.hmacSecret, toleranceSeconds: flags.signatureTolerance, strict: flags.strictSignatures === true } : undefined,
    basic: flags.basicAuth,
    oauth: flags.oauth ? { clientId: flags.oauth.user, clientSecret: flags.oauth.password } : undefined,
    oauthTokenTtlSeconds: flags.oauthTokenTtl,
    strictSchema: flags.strict === true,
    respond: flags.respond === undefined ? undefined : parseRespondSpec(flags.respond),
    forwardTo: flags.forwardTo ? new URL(flags.forwardTo) : undefined,
    forwardTimeoutMs: flags.forwardTimeout,
    recordDir: flags.record,
    redact: flags.redact === true,
    toolVersion: version,
    sns: { confirm: flags.snsConfirm ?? "auto", forward: flags.snsForward ?? "callback" },
  };
}

function authModes(o: ListenOptions): string[] {
  const modes: string[] = [];
  if (o.hmac) modes.push(`HMAC signatures (tolerance ${o.hmac.toleranceSeconds === 0 ? "off" : `${o.hmac.toleranceSeconds} s`}${o.hmac.strict ? ", strict" : ""})`);
  if (o.basic) modes.push(`Basic (user ${o.basic.user})`);
  if (o.oauth) modes.push(`OAuth 2.0 bearer (client ${o.oauth.clientId}, tokens live ${o.oauthTokenTtlSeconds} s)`);
  return modes;
}

export function renderBanner(
  o: ListenOptions,
  info: {
    localUrl: string;
    publicUrl: string | null;
    provider: string | null;
    version: string;
    notice?: string;
    inspector?: { url: string; fellBackFrom?: number; history: number } | null;
  },
  theme: Theme,
): string {
  const rows: [string, string][] = [];
  rows.push(["Local", info.localUrl]);
  if (info.publicUrl) rows.push(["Public", `${theme.bold.green(info.publicUrl)}  ${theme.dim(`(${info.provider}) ← paste into the Sinch dashboard or a batch's callback_url`)}`]);
  if (info.inspector) {
    const why = info.inspector.fellBackFrom !== undefined ? `port ${info.inspector.fellBackFrom} was in use; ` : "";
    rows.push(["Inspect", `${theme.bold(info.inspector.url)}  ${theme.dim(`(${why}open in a browser; this machine only, last ${info.inspector.history} callbacks)`)}`]);
  }
  const modes = authModes(o);
  rows.push(["Auth", modes.length ? modes.join(" + ") : theme.yellow("none")]);
  if (o.oauth) {
    const base = info.publicUrl ?? info.localUrl;
    rows.push(["Token URL", `${base}${OAUTH_TOKEN_PATH}  ${theme.dim("(client-credentials; assumption: Sinch does not publish its exact token exchange)")}`]);
  }
  if (o.forwardTo) rows.push(["Forward", `${o.forwardTo.toString()}  ${theme.dim(`(timeout ${Math.round(o.forwardTimeoutMs / 1000)} s; your app's status is mirrored to Sinch)`)}`]);
  if (o.respond) rows.push(["Respond", `${o.respond.statuses.join(",")} per callback ${theme.dim("(the n-th delivery of a callback gets the n-th status)")}`]);
  if (o.strictSchema) rows.push(["Schema", "strict: invalid payloads are answered 400"]);
  if (o.recordDir) rows.push(["Record", `${o.recordDir}${o.redact ? " (redacted)" : ""}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  let out = `${theme.bold("sinch-hooks listen")} ${theme.dim(`v${info.version}`)}\n`;
  for (const [k, v] of rows) out += `  ${theme.dim(k.padEnd(width))}  ${v}\n`;
  if (info.notice) out += `${info.notice.split("\n").map((l) => `${theme.dim("·")} ${l}`).join("\n")}\n`;
  if (modes.length === 0 && info.publicUrl) out += `${theme.yellow("!")} No authentication configured: anyone who has the public URL can post to it. Add --hmac-secret, --basic-auth or --oauth.\n`;
  out += theme.dim(`Try it: sinch-hooks fixtures mo_text | curl -s -H 'content-type: application/json' --data-binary @- ${info.localUrl}/\n`);
  out += `Waiting for callbacks… ${theme.dim("(Ctrl-C to stop)")}\n`;
  return out;
}

export async function runListen(flags: ListenFlags, io: Io, signal: AbortSignal, version = "0.0.0"): Promise<number> {
  const options = listenOptionsFromFlags(flags, version);
  const inspect = inspectSettingsFromFlags(flags);
  // Check --send-test's number and credentials before anything starts, so a typo costs no tunnel.
  let sendTestInput: import("../sendtest/index.js").SendTestInput | undefined;
  if (flags.sendTest !== undefined) {
    if (flags.tunnel === "none") {
      throw new UsageError("--send-test needs a public URL for Sinch to call back, and --tunnel none opens none", "drop --tunnel none, or pass --public-url https://… for a tunnel you run yourself");
    }
    const { resolveSendTest } = await import("../sendtest/index.js");
    sendTestInput = resolveSendTest({ to: flags.sendTest }, io.env, { toFlag: "--send-test" });
  }
  const json = flags.json === true;
  const theme = createTheme(!json && colorEnabled(io.env, io.stdout));
  const errTheme = createTheme(colorEnabled(io.env, io.stderr));
  const outOpts: OutputOptions = { redact: options.redact, verbose: flags.verbose === true, filter: flags.filter };
  // Event lines wait until the banner / ready line is out ("the first stdout line is ready"), then go
  // out in order with everything else written to stdout.
  let ready = false;

  let count = 0;
  let inspector: import("../inspect/index.js").Inspector | undefined;
  // Callbacks that arrive in the moment between the listener and the inspector starting are kept for it.
  const early: ListenEvent[] | null = inspect ? [] : null;
  // Under load, one write per callback costs more than the callback itself (a syscall each; seen in
  // a CPU profile of `npm run bench:listen`). Lines are gathered and written once per event-loop turn,
  // which changes nothing at a human pace and batches them at thousands per second.
  let pending = "";
  let scheduled = false;
  const flushOutput = (): void => {
    scheduled = false;
    if (pending === "" || !ready) return;
    const text = pending;
    pending = "";
    io.stdout.write(text);
  };
  const diag = (line: string): void => {
    if (!json) flushOutput();
    void (json ? io.stderr : io.stdout).write(line.endsWith("\n") ? line : line + "\n");
  };
  const emit = (text: string): void => {
    pending += text;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flushOutput);
    }
  };

  const onEvent = (e: ListenEvent): void => {
    if (e.event === "callback") count++;
    // The inspector shows every callback: --filter only narrows the terminal.
    if (inspector) inspector.ingest(e);
    else if (early && early.length < 1_000) early.push(e);
    if (!shouldShow(e, outOpts)) return;
    emit(json ? renderJson(e, outOpts) : renderHuman(e, theme, outOpts));
  };

  const listener = await listen({ ...options, now: io.now }, onEvent);

  if (inspect) {
    try {
      const { startInspector } = await import("../inspect/index.js");
      const forwarder = listener.forwarder;
      inspector = await startInspector({
        port: inspect.port,
        historySize: inspect.history,
        redact: options.redact,
        toolVersion: version,
        listenerUrl: listener.url,
        forwardTo: options.forwardTo,
        // The same pool and header rules as live forwarding, with the bytes and headers Sinch sent.
        replay: forwarder ? (e) => forwarder.forward({ path: e.path, headers: e.headers, body: e.body, remoteAddress: e.remoteAddress }) : undefined,
        respond: { configured: options.respond, set: (plan) => listener.setRespond(plan) },
        onRespondChange: (s) =>
          diag(
            `${theme.cyan("⇄")} inspector: ${
              s.mode === "configured" ? `back to the configured answers (${s.active ? `--respond ${s.active.join(",")}` : "200, or your app's status"})` : `answering the next callbacks with ${s.mode}`
            }`,
          ),
      });
    } catch (err) {
      await listener.close(1_000);
      throw err;
    }
    for (const e of early?.splice(0) ?? []) inspector.ingest(e);
  }

  const { openTunnel } = await import("../tunnel/index.js");
  let tunnel: Awaited<ReturnType<typeof openTunnel>>;
  try {
    tunnel = await openTunnel({
      choice: flags.tunnel,
      localPort: listener.port,
      localHost: flags.host === "0.0.0.0" || flags.host === "::" ? "127.0.0.1" : flags.host,
      publicUrl: flags.publicUrl,
      ngrokAuthtoken: flags.ngrokAuthtoken,
      ngrokDomain: flags.ngrokDomain,
      ngrokApi: flags.ngrokApi,
      ngrokServerAddr: flags.ngrokServerAddr,
      timeoutMs: flags.tunnelTimeout,
      // --send-test is pointless without a public URL, so it requires the tunnel like --require-tunnel.
      requireTunnel: flags.requireTunnel === true || sendTestInput !== undefined,
      env: io.env,
      onStatus: (s) =>
        diag(s.kind === "disconnected" ? `${theme.yellow("!")} tunnel disconnected${s.detail ? `: ${s.detail}` : ""}; callbacks sent now may be lost (ngrok answers 404 for an offline endpoint, which Sinch does not retry)` : `${theme.green("✓")} tunnel reconnected`),
    });
  } catch (err) {
    await inspector?.close();
    await listener.close(1_000);
    if (sendTestInput && isSinchHooksError(err) && err.category === "tunnel") {
      throw new SinchHooksError(err.code, err.category, `--send-test needs a public URL for Sinch to call back: ${err.message}`, { hint: err.hint, cause: err });
    }
    throw err;
  }

  const publicUrl = tunnel.handle?.publicUrl ?? null;
  inspector?.setPublicUrl(publicUrl);
  if (json) {
    io.stdout.write(
      JSON.stringify({
        event: "ready",
        version,
        local_url: listener.url,
        public_url: publicUrl,
        tunnel: tunnel.handle ? tunnel.handle.provider : "none",
        tunnel_error: tunnel.error ? { code: tunnel.error.code, message: tunnel.error.message } : null,
        auth: authModes(options),
        token_url: options.oauth ? `${publicUrl ?? listener.url}${OAUTH_TOKEN_PATH}` : null,
        forward_to: options.forwardTo?.toString() ?? null,
        record_dir: options.recordDir ?? null,
        inspector_url: inspector?.url ?? null,
      }) + "\n",
    );
    if (inspector?.fellBackFrom !== undefined) io.stderr.write(`inspector: port ${inspector.fellBackFrom} is in use; serving on ${inspector.url} instead\n`);
    // The notice is self-contained: after a failed tunnel it already carries the error and its hint.
    if (tunnel.notice) io.stderr.write(tunnel.notice + "\n");
  } else {
    io.stdout.write(
      renderBanner(
        options,
        {
          localUrl: listener.url,
          publicUrl,
          provider: tunnel.handle?.provider ?? null,
          version,
          notice: tunnel.notice,
          inspector: inspector ? { url: inspector.url, fellBackFrom: inspector.fellBackFrom, history: inspector.history.options.maxEntries } : null,
        },
        theme,
      ),
    );
  }

  ready = true;
  flushOutput();

  const sending = sendTestInput && publicUrl ? sendTestOnce({ ...sendTestInput, callbackUrl: publicUrl }, io, json, theme) : Promise.resolve();

  if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));

  diag(theme.dim("Stopping: finishing in-flight callbacks…"));
  // The API call is bounded by its own 15 s timeout; do not let it hold Ctrl-C longer than 3 s.
  await Promise.race([sending, new Promise((r) => setTimeout(r, 3_000).unref())]);
  await inspector?.close();
  await listener.close(10_000);
  if (tunnel.handle) {
    // Bounded: a hung ngrok session must not keep Ctrl-C from working (tunnels.md §5.4).
    await Promise.race([tunnel.handle.close().catch(() => undefined), new Promise((r) => setTimeout(r, 3_000).unref())]);
  }
  // Callbacks answered during shutdown are still printed, before the closing count.
  flushOutput();
  const recorded = listener.recorder ? `, ${listener.recorder.written} recorded in ${listener.recorder.dir}` : "";
  diag(`${errTheme.dim("Stopped.")} ${count} callback${count === 1 ? "" : "s"} received${recorded}.`);
  return 0;
}

/**
 * listen --send-test: one batch whose delivery reports come back through this tunnel. A failure is shown
 * (one line and a hint) but does not stop the listener: it is already useful, and the hint says what to fix.
 */
async function sendTestOnce(input: import("../sendtest/index.js").SendTestInput, io: Io, json: boolean, theme: Theme): Promise<void> {
  const { sendTestBatch, scrub } = await import("../sendtest/index.js");
  const { describeSent } = await import("../sendtest/command.js");
  try {
    const r = await sendTestBatch(input);
    if (json) io.stdout.write(`${JSON.stringify({ event: "send-test", ok: true, batch_id: r.batchId, status: r.status, to: r.to, callback_url: r.callbackUrl ?? null })}\n`);
    else io.stdout.write(`${theme.green("✓")} send-test: ${describeSent(r)}\n`);
  } catch (err) {
    const e = isSinchHooksError(err) ? err : new SinchHooksError("SH_SEND_TEST_FAILED", "internal", scrub(err instanceof Error ? err.message : String(err), input.apiToken));
    if (json) io.stdout.write(`${JSON.stringify({ event: "send-test", ok: false, error: { code: e.code, message: e.message, hint: e.hint ?? null } })}\n`);
    io.stderr.write(renderError(new SinchHooksError(e.code, e.category, `send-test: ${e.message}`, { hint: e.hint }), createTheme(colorEnabled(io.env, io.stderr))));
  }
}
