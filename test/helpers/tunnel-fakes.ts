/**
 * Fakes for the tunnel tests (tunnels.md §5.5): an injectable ngrok SDK, SDK-shaped errors, a loopback
 * ngrok agent API, and a port that is known to be closed. Everything binds 127.0.0.1 only.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import type { NgrokForwardConfig, NgrokListenerLike, NgrokSdkLike } from "../../src/tunnel/types.js";

/** An Error shaped like the SDK's rejections (§1.5): napi code GenericFailure, optional errorCode suffix. */
export function ngrokError(message: string, errorCode?: string): Error & { code: string; errorCode?: string } {
  const err = new Error(errorCode ? `${message} error_code: ${errorCode}` : message) as Error & { code: string; errorCode?: string };
  err.code = "GenericFailure";
  if (errorCode) err.errorCode = errorCode;
  return err;
}

export type ForwardBehaviour = { url: string | null } | { reject: unknown } | { hang: true } | { later: Promise<{ url: string | null }> };

export interface FakeSdk {
  sdk: NgrokSdkLike;
  configs: NgrokForwardConfig[];
  /** "forward", "listener.close", "disconnect", "late.close" in call order. */
  calls: string[];
  /** Make listener.close() never settle (to test the 3 s cap). */
  hangListenerClose: boolean;
}

/** Each forward() call takes the next behaviour; the last one repeats. */
export function fakeSdk(...behaviours: ForwardBehaviour[]): FakeSdk {
  const fake: FakeSdk = {
    configs: [],
    calls: [],
    hangListenerClose: false,
    sdk: {
      forward(cfg) {
        fake.configs.push(cfg);
        fake.calls.push("forward");
        const b = behaviours[Math.min(fake.configs.length - 1, behaviours.length - 1)] ?? { url: "https://x.ngrok-free.app" };
        const listener = (url: string | null, tag: string): NgrokListenerLike => ({
          url: () => url,
          close: () => {
            fake.calls.push(tag);
            return fake.hangListenerClose ? new Promise<void>(() => {}) : Promise.resolve();
          },
        });
        if ("url" in b) return Promise.resolve(listener(b.url, "listener.close"));
        if ("reject" in b) return Promise.reject(b.reject);
        if ("later" in b) return b.later.then((r) => listener(r.url, "late.close"));
        return new Promise<NgrokListenerLike>(() => {});
      },
      disconnect() {
        fake.calls.push("disconnect");
        return Promise.resolve();
      },
    },
  };
  return fake;
}

export interface AgentApi {
  url: string;
  port: number;
  requests: string[];
  close(): Promise<void>;
}

export type AgentAnswer = { status?: number; json?: unknown; raw?: string };

/** A loopback stand-in for the ngrok agent's local API (§3.1). */
export async function startAgentApi(answer: AgentAnswer | (() => AgentAnswer)): Promise<AgentApi> {
  const requests: string[] = [];
  const server: Server = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url !== "/api/tunnels") {
      res.writeHead(404).end();
      return;
    }
    const a = typeof answer === "function" ? answer() : answer;
    const body = a.raw ?? JSON.stringify(a.json ?? {});
    res.writeHead(a.status ?? 200, { "content-type": "application/json", connection: "close" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A v3 agent answer: one HTTPS tunnel per command (§3.1). */
export function v3Tunnels(localAddr: string, publicUrl = "https://abc-123.ngrok-free.app"): unknown {
  return {
    tunnels: [
      {
        name: "command_line",
        ID: "8389c87a810dc6edde1ec057ef726c45",
        uri: "/api/tunnels/command_line",
        public_url: publicUrl,
        proto: "https",
        config: { addr: localAddr, inspect: true },
        metrics: { conns: { count: 0 }, http: { count: 0 } },
      },
    ],
    uri: "/api/tunnels",
  };
}

/** A v2 agent answer: an http twin listed first, then https; addr without a scheme (§3.1). */
export function v2Tunnels(localAddr: string, host = "1a2b3c4d.ngrok.io"): unknown {
  return {
    tunnels: [
      { name: "command_line (http)", uri: "/api/tunnels/command_line%20%28http%29", public_url: `http://${host}`, proto: "http", config: { addr: localAddr, inspect: true } },
      { name: "command_line", uri: "/api/tunnels/command_line", public_url: `https://${host}`, proto: "https", config: { addr: localAddr, inspect: true } },
    ],
    uri: "/api/tunnels",
  };
}

/** A port nothing listens on: bind port 0, note it, close. */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
