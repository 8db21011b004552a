/**
 * listen(options) → a running listener handle. Composes the server (bytes), the decision (pure), the
 * forwarder and the recorder, and reports one event per request through `onEvent`. It prints nothing
 * and installs no signal handlers: the CLI (listen/command.ts, cli/main.ts) owns the terminal and signals.
 */
import { createNonceCache } from "../sign/hmac.js";
import { createTokenStore } from "../sign/oauth.js";
import { redactPayload } from "../render/callback.js";
import { CALLBACK_TYPES } from "../schemas/types.js";
import { validateCallback } from "../validate/validate.js";
import { createDedupeTracker } from "./dedupe.js";
import { decide, type CallbackDecision, type ListenConfig, type ListenState } from "./decide.js";
import { createForwarder, type ForwardResult, type Forwarder } from "./forward.js";
import { createRecorder, type Recorder } from "./recorder.js";
import { RECORDING_FORMAT, RECORDING_VERSION, encodeBody, recordableHeaders, type Recording } from "./recording.js";
import { startServer, type RejectedRequest, type RunningServer } from "./server.js";
import { sinchNext, type SinchNext } from "./sinch-next.js";

export interface ListenOptions extends ListenConfig {
  host: string;
  port: number;
  maxBodyBytes: number;
  forwardTo?: URL;
  forwardTimeoutMs: number;
  recordDir?: string;
  redact: boolean;
  oauthTokenTtlSeconds: number;
  /** Bound on remembered duplicates, nonces and tokens. */
  memoryEntries?: number;
  toolVersion?: string;
  now?: () => number;
}

export type ListenEvent =
  | {
      event: "callback";
      seq: number;
      receivedAt: number;
      method: string;
      path: string;
      headers: import("node:http").IncomingHttpHeaders;
      decision: CallbackDecision;
      /** The status actually answered to the sender. */
      status: number;
      latencyMs: number;
      forward?: ForwardResult;
      /** Set when the forward target's answer was replaced (app unreachable → 503, or --respond). */
      statusSource: "listener" | "app" | "respond" | "app-unreachable";
      sinch: SinchNext;
      recordPath?: string;
      recordError?: string;
    }
  | { event: "token"; receivedAt: number; granted: boolean; reason: string; status: number }
  | { event: "not-allowed"; receivedAt: number; method: string; path: string; status: number }
  | { event: "rejected"; receivedAt: number; rejected: RejectedRequest };

export interface Listener {
  url: string;
  port: number;
  server: RunningServer;
  recorder?: Recorder;
  forwarder?: Forwarder;
  /** Stop accepting, finish in-flight requests, flush recordings, close the forward pool. */
  close(graceMs?: number): Promise<void>;
}

export async function listen(options: ListenOptions, onEvent: (e: ListenEvent) => void): Promise<Listener> {
  const now = options.now ?? Date.now;
  const max = options.memoryEntries ?? 10_000;
  const state: ListenState = {
    dedupe: createDedupeTracker(max),
    nonceCache: options.hmac ? createNonceCache({ maxEntries: max }) : undefined,
    tokenStore: options.oauth ? createTokenStore({ ttlSeconds: options.oauthTokenTtlSeconds, maxTokens: max }) : undefined,
  };
  // Compile every schema now rather than on the first callback, so the first one is not 50 ms slow.
  for (const type of CALLBACK_TYPES) validateCallback({ type });
  const recorder = options.recordDir ? await createRecorder(options.recordDir) : undefined;
  const forwarder = options.forwardTo ? await createForwarder(options.forwardTo, { timeoutMs: options.forwardTimeoutMs }) : undefined;
  let seq = 0;

  const server = await startServer(
    { host: options.host, port: options.port, maxBodyBytes: options.maxBodyBytes },
    async (req, meta) => {
      const started = performance.now();
      const receivedAt = now();
      const decision = decide(req, options, state, receivedAt);
      if (decision.kind === "token") {
        onEvent({ event: "token", receivedAt, granted: decision.granted, reason: decision.reason, status: decision.answer.status });
        return decision.answer;
      }
      if (decision.kind === "not-allowed") {
        onEvent({ event: "not-allowed", receivedAt, method: req.method, path: req.path, status: decision.answer.status });
        return decision.answer;
      }

      const n = ++seq;
      let answer = decision.answer;
      let forward: ForwardResult | undefined;
      let statusSource: "listener" | "app" | "respond" | "app-unreachable" = decision.planned ? "respond" : "listener";
      if (forwarder && decision.accepted) {
        forward = await forwarder.forward({ path: req.path, headers: req.headers, body: req.body, remoteAddress: meta.remoteAddress });
        if (!decision.planned) {
          if (forward.ok && forward.status !== undefined) {
            statusSource = "app";
            answer = { status: forward.status, headers: { "content-type": forward.contentType ?? "text/plain" }, body: forward.body ?? "" };
          } else {
            // Never let a down app become a 404 that Sinch would drop for good: 503 makes Sinch retry.
            statusSource = "app-unreachable";
            answer = {
              status: 503,
              headers: { "content-type": "application/json", "retry-after": "5" },
              body: JSON.stringify({ error: "forward_failed", message: forward.error?.message ?? "forward failed" }),
            };
          }
        }
      }

      let recordPath: string | undefined;
      let recordError: string | undefined;
      if (recorder) {
        const rec = toRecording(req, decision, answer.status, receivedAt, options);
        try {
          recordPath = await recorder.write(rec, n);
        } catch (err) {
          recordError = (err as Error).message;
        }
      }

      onEvent({
        event: "callback",
        seq: n,
        receivedAt,
        method: req.method,
        path: req.path,
        headers: req.headers,
        decision,
        status: answer.status,
        latencyMs: performance.now() - started,
        forward,
        statusSource,
        sinch: sinchNext(answer.status, decision.seen.attempt),
        recordPath,
        recordError,
      });
      return answer;
    },
    (rejected) => onEvent({ event: "rejected", receivedAt: now(), rejected }),
  );

  let closing: Promise<void> | null = null;
  return {
    url: server.url,
    port: server.port,
    server,
    recorder,
    forwarder,
    close(graceMs = 10_000) {
      closing ??= (async () => {
        await server.close(graceMs);
        await recorder?.flush();
        await forwarder?.close();
      })();
      return closing;
    },
  };
}

function toRecording(
  req: { method: string; path: string; headers: import("node:http").IncomingHttpHeaders; body: Buffer },
  decision: CallbackDecision,
  status: number,
  receivedAt: number,
  options: ListenOptions,
): Recording {
  const redact = options.redact;
  // A body that is not JSON cannot be masked field by field, so --redact drops it whole.
  const bodyFields = !redact
    ? encodeBody(req.body)
    : { body: decision.payload !== undefined ? JSON.stringify(redactPayload(decision.payload)) : `[redacted ${req.body.length} bytes of non-JSON body]` };
  return {
    _meta: { format: RECORDING_FORMAT, version: RECORDING_VERSION, tool: `sinch-hooks ${options.toolVersion ?? ""}`.trim() },
    received_at: new Date(receivedAt).toISOString(),
    method: req.method,
    path: req.path,
    headers: recordableHeaders(req.headers, redact),
    ...bodyFields,
    redacted: redact,
    verdict: {
      type: decision.type,
      valid: decision.validation ? decision.validation.ok : null,
      errors: decision.parseError
        ? [`body is not JSON: ${decision.parseError.message} (line ${decision.parseError.line}, column ${decision.parseError.column})`]
        : (decision.validation?.errors ?? []).map((e) => e.message),
      warnings: (decision.validation?.warnings ?? []).map((e) => e.message),
      auth: decision.auth.map((a) => ({ scheme: a.scheme, ok: a.ok, message: a.message })),
      status,
      attempt: decision.seen.attempt,
    },
  };
}
