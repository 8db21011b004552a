/**
 * Shared types for the public-tunnel providers of `sinch-hooks listen`.
 * Design: shared/reference/tunnels.md §5.1 (provider interface, error kinds).
 */
import { SinchHooksError } from "../errors.js";

/** The --tunnel flag's values; "auto" is resolved by chooseProvider (tunnels.md §5.3). */
export type TunnelChoice = "auto" | "ngrok" | "ngrok-agent" | "manual" | "none";

/** Providers we ship (tunnels.md §5.2). localtunnel/cloudflared are deliberately absent (§5.3: never auto-selected). */
export type TunnelProviderName = "ngrok" | "ngrok-agent" | "manual" | "none";

export interface TunnelHandle {
  readonly provider: Exclude<TunnelProviderName, "none">;
  /** https://… with no trailing slash, so callers can append a callback path. */
  readonly publicUrl: string;
  /** False for ngrok-agent and manual: close() must not stop a tunnel the user runs (§5.1). */
  readonly ownsTunnel: boolean;
  /** Idempotent; resolves within a few seconds even if the provider hangs (§5.4). Never rejects. */
  close(): Promise<void>;
}

export type TunnelStatusEvent = { kind: "disconnected" | "reconnected"; detail?: string };

export interface StartOptions {
  localPort: number;
  /** Interface the local listener is bound to; default "127.0.0.1" (§1.8). */
  localHost?: string;
  /** Outer timeout for opening the tunnel (§1.5 hang-forever risk, §5.4). */
  timeoutMs: number;
  onStatus?: (event: TunnelStatusEvent) => void;
}

export interface TunnelProvider {
  readonly name: Exclude<TunnelProviderName, "none" | "manual">;
  /** Rejects with a TunnelError. */
  start(opts: StartOptions): Promise<TunnelHandle>;
}

/** The subset of `ngrok.forward()` options we use (§1.2). */
export interface NgrokForwardConfig {
  addr: string;
  authtoken: string;
  domain?: string;
  server_addr?: string;
  force_new_session: boolean;
  onStatusChange?: (status: string) => void;
}

export interface NgrokListenerLike {
  url(): string | null;
  close(): Promise<void>;
}

/** What we need from `@ngrok/ngrok`; injected so tests can pass a fake (§5.1, §5.5). */
export interface NgrokSdkLike {
  forward(cfg: NgrokForwardConfig): Promise<NgrokListenerLike>;
  disconnect(url?: string): Promise<void>;
}

export type FetchJson = (url: string, timeoutMs: number) => Promise<{ status: number; body: unknown }>;

/** §5.1, plus AGENT_NOT_RUNNING for the attach provider (§3: refused connection to the local API). */
export type TunnelErrorKind =
  | "AUTH_MISSING"
  | "AUTH_INVALID"
  | "SESSION_LIMIT"
  | "DOMAIN"
  | "NETWORK"
  | "TIMEOUT"
  | "UNAVAILABLE"
  | "NO_MATCHING_TUNNEL"
  | "AGENT_NOT_RUNNING"
  | "UNKNOWN";

export interface TunnelErrorDetails {
  hint?: string;
  cause?: unknown;
  /** e.g. "ERR_NGROK_4018", kept verbatim for --json output and support (§5.1). */
  providerCode?: string;
}

/** Category "tunnel" → exit code 3 (src/errors.ts). Code is `SH_TUNNEL_<KIND>`. */
export class TunnelError extends SinchHooksError {
  readonly kind: TunnelErrorKind;
  readonly providerCode: string | undefined;

  constructor(kind: TunnelErrorKind, message: string, details: TunnelErrorDetails = {}) {
    super(`SH_TUNNEL_${kind}`, "tunnel", message, { hint: details.hint, cause: details.cause });
    this.name = "TunnelError";
    this.kind = kind;
    this.providerCode = details.providerCode;
  }
}

export function isTunnelError(err: unknown): err is TunnelError {
  return err instanceof TunnelError;
}
