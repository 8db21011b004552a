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
import type { RespondPlan } from "./respond.js";
import { sinchNext, type SinchNext } from "./sinch-next.js";
import { createCertCache, createCertFetcher, type CertFetcher } from "../sns/verify.js";
import { createConfirmFetcher, type ConfirmFetch, type ConfirmResult } from "../sns/confirm.js";
import { detectSns } from "../sns/envelope.js";
import { describeSnsVia, unwrapSns, type SnsVia } from "../sns/unwrap.js";
import type { Dispatcher } from "undici";

export interface ListenOptions extends ListenConfig {
  host: string;
  port: number;
  maxBodyBytes: number;
  forwardTo?: URL;
  forwardTimeoutMs: number;
  recordDir?: string;
  redact: boolean;
  oauthTokenTtlSeconds: number;
  /** Slow-client guards: time to receive all headers, and the whole request. Defaults 10 s and 30 s. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Bound on remembered duplicates, nonces and tokens. */
  memoryEntries?: number;
  toolVersion?: string;
  now?: () => number;
  /**
   * Callbacks delivered through AWS SNS (sinch-sms-webhooks-doc.txt: Sinch can publish to an SNS topic).
   * Recognised by the x-amz-sns-message-type header; always on, these only tune it.
   */
  sns?: {
    /** auto: confirm subscriptions by fetching SubscribeURL (AWS hosts only); manual: print it. Default auto. */
    confirm?: "auto" | "manual";
    /** callback: forward the unwrapped Sinch callback (default); envelope: forward SNS's request as is. */
    forward?: "callback" | "envelope";
    /** Tests inject these; production fetches only from https sns.<region>.amazonaws.com. */
    fetchCert?: CertFetcher;
    fetchConfirm?: ConfirmFetch;
    dispatcher?: Dispatcher;
  };
}

export type ListenEvent =
  | {
      event: "callback";
      seq: number;
      receivedAt: number;
      method: string;
      path: string;
      headers: import("node:http").IncomingHttpHeaders;
      /** The raw body exactly as received: the inspector replays and exports these bytes. */
      body: Buffer;
      remoteAddress?: string;
      decision: CallbackDecision;
      /** The status actually answered to the sender. */
      status: number;
      latencyMs: number;
      forward?: ForwardResult;
      /** Set when the forward target's answer was replaced (app unreachable → 503, or --respond). */
      statusSource: "listener" | "app" | "respond" | "app-unreachable";
      sinch: SinchNext;
      /** Set when the callback arrived inside an SNS notification (or by SNS raw delivery). */
      sns?: SnsVia;
      recordPath?: string;
      recordError?: string;
    }
  /** SNS control messages and refused SNS requests. */
  | {
      event: "sns";
      receivedAt: number;
      kind: "confirmation" | "unsubscribe" | "refused";
      status: number;
      message: string;
      via?: Partial<SnsVia>;
      confirmation?: ConfirmResult;
    }
  | { event: "token"; receivedAt: number; granted: boolean; reason: string; status: number }
  | { event: "not-allowed"; receivedAt: number; method: string; path: string; status: number }
  | { event: "rejected"; receivedAt: number; rejected: RejectedRequest }
  /** A queued recording could not be written (disk full, directory removed…). */
  | { event: "record-error"; receivedAt: number; path: string; message: string };

export interface Listener {
  url: string;
  port: number;
  server: RunningServer;
  recorder?: Recorder;
  forwarder?: Forwarder;
  /** The --respond plan used for the next callbacks (undefined: answer 200 or mirror the app). */
  readonly respond: RespondPlan | undefined;
  /**
   * Changes the response plan from the next callback on (the inspector's live switch). Each request reads
   * the plan once, so a request already being decided keeps the plan it started with.
   */
  setRespond(plan: RespondPlan | undefined): void;
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
  const recorder = options.recordDir
    ? await createRecorder(options.recordDir, {
        onError: (err, path) => onEvent({ event: "record-error", receivedAt: now(), path, message: err.message }),
      })
    : undefined;
  const forwarder = options.forwardTo ? await createForwarder(options.forwardTo, { timeoutMs: options.forwardTimeoutMs }) : undefined;
  let seq = 0;
  // decide() stays pure: it is handed the config current at the time of each request, and setRespond
  // swaps in a new object rather than mutating one a request might be reading.
  let config: ListenConfig = options;
  const snsCache = createCertCache();
  const snsFetchCert = options.sns?.fetchCert ?? createCertFetcher({ dispatcher: options.sns?.dispatcher });
  const snsConfirm = { mode: options.sns?.confirm ?? "auto", fetchUrl: options.sns?.fetchConfirm ?? createConfirmFetcher({ dispatcher: options.sns?.dispatcher }) } as const;
  const snsForwardEnvelope = options.sns?.forward === "envelope";

  const server = await startServer(
    {
      host: options.host,
      port: options.port,
      maxBodyBytes: options.maxBodyBytes,
      headersTimeoutMs: options.headersTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
    },
    async (original, meta) => {
      const started = performance.now();
      const receivedAt = now();
      let req = original;
      let cfg = config;
      let sns: SnsVia | undefined;
      if (original.method === "POST" && detectSns(original.headers)) {
        const out = await unwrapSns(original.headers, original.body, { fetchCert: snsFetchCert, cache: snsCache, confirm: snsConfirm });
        if (out.kind === "refused") {
          onEvent({ event: "sns", receivedAt, kind: "refused", status: out.status, message: out.message, via: out.via });
          return { status: out.status, headers: { "content-type": "application/json" }, body: JSON.stringify({ error: out.reason, message: out.message }) };
        }
        if (out.kind === "confirmation" || out.kind === "unsubscribe") {
          const c = out.kind === "confirmation" ? out.confirmation : undefined;
          const message =
            out.kind === "unsubscribe"
              ? "SNS says this endpoint was unsubscribed from the topic"
              : c === undefined
                ? `open ${out.subscribeUrl} to confirm the subscription`
                : c.outcome === "confirmed"
                  ? c.message
                  : `${c.message}: ${c.url}`;
          onEvent({ event: "sns", receivedAt, kind: out.kind, status: 200, message, via: out.via, confirmation: out.kind === "confirmation" ? out.confirmation : undefined });
          return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ ok: true }) };
        }
        if (out.kind === "notification" || out.kind === "raw") {
          sns = out.via;
          // The unwrapped callback is what Sinch sent; the SNS headers describe the envelope, not it.
          const headers = Object.fromEntries(Object.entries(original.headers).filter(([k]) => !k.startsWith("x-amz-sns-")));
          req = { ...original, headers: { ...headers, "content-type": "application/json" }, body: out.innerBody };
          // Sinch's HMAC/OAuth headers ride on its own HTTP POSTs, not on SNS deliveries: there the SNS
          // signature (verified above, or absent for raw delivery) is the proof of origin. Basic auth
          // still applies, since SNS sends the credentials of an https://user:pass@ subscription URL.
          cfg = { ...config, hmac: undefined, oauth: undefined };
        }
      }
      const decision = decide(req, cfg, state, receivedAt);
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
        const viaEnvelope = sns !== undefined && snsForwardEnvelope;
        forward = await forwarder.forward({
          path: req.path,
          headers: viaEnvelope ? original.headers : req.headers,
          body: viaEnvelope ? original.body : req.body,
          remoteAddress: meta.remoteAddress,
        });
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
        if (sns) rec.sns = { topic_arn: sns.topicArn ?? null, message_id: sns.messageId ?? null, verified: sns.verified, raw_delivery: sns.rawDelivery };
        try {
          recordPath = await recorder.enqueue(rec, n);
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
        body: req.body,
        remoteAddress: meta.remoteAddress,
        decision,
        status: answer.status,
        latencyMs: performance.now() - started,
        forward,
        statusSource,
        sinch: sinchNext(answer.status, decision.seen.attempt),
        sns,
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
    get respond() {
      return config.respond;
    },
    setRespond(plan) {
      config = { ...config, respond: plan };
    },
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

/** The recording `listen --record` writes for one callback; the inspector's "download as fixture" reuses it. */
export { describeSnsVia };

export function toRecording(
  req: { method: string; path: string; headers: import("node:http").IncomingHttpHeaders; body: Buffer },
  decision: CallbackDecision,
  status: number,
  receivedAt: number,
  options: Pick<ListenOptions, "redact" | "toolVersion">,
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
