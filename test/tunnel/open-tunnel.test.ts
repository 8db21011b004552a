import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { openTunnel, TunnelError, type OpenTunnelOptions, type TunnelDeps, type TunnelStatusEvent } from "../../src/tunnel/index.js";
import type { FetchJson } from "../../src/tunnel/types.js";
import { closedPort, fakeSdk, ngrokError, startAgentApi, v3Tunnels, type AgentApi } from "../helpers/tunnel-fakes.js";

// openTunnel end to end with fakes (tunnels.md §5.3 selection, §5.4 fallback).
const PORT = 7462;
const SECRET = "2supersecretTokenValue_abcdefghijk";
let home: string;
const apis: AgentApi[] = [];

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "sh-tunnel-open-"));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(apis.splice(0).map((a) => a.close()));
});

/** Every agent port refused, unless told otherwise; records what was asked. */
function refusedFetch(seen: string[] = []): FetchJson {
  return async (url) => {
    seen.push(url);
    throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
  };
}

function opts(over: Partial<OpenTunnelOptions> = {}): OpenTunnelOptions {
  // An empty home keeps a developer's real ~/.config/ngrok/ngrok.yml out of the tests.
  return { choice: "auto", localPort: PORT, localHost: "127.0.0.1", timeoutMs: 1000, requireTunnel: false, env: {}, homeDir: home, ...over };
}

function noSdk(): TunnelDeps["loadSdk"] {
  return () => Promise.reject(new Error("the SDK must not be loaded in this test"));
}

async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

describe("openTunnel: auto", () => {
  it("with nothing available → local only, with a notice naming the URL, the port and the three ways out", async () => {
    const seen: string[] = [];
    const out = await openTunnel(opts(), { fetchJson: refusedFetch(seen), loadSdk: noSdk() });
    expect(out.handle).toBeNull();
    expect(out.error).toBeUndefined();
    expect(out.notice).toContain("http://127.0.0.1:7462");
    expect(out.notice).toContain("NGROK_AUTHTOKEN");
    expect(out.notice).toContain('"ngrok http 7462"');
    expect(out.notice).toContain("--public-url https://");
    // §5.3 rule 2: the default agent ports were probed.
    expect(seen).toHaveLength(6);
  });

  it("names a wildcard-bound listener by its loopback URL, and mentions a running agent on another port", async () => {
    const api = await startAgentApi({ json: v3Tunnels("http://localhost:8080") });
    apis.push(api);
    const out = await openTunnel(opts({ localHost: "0.0.0.0", ngrokApi: api.url }), { loadSdk: noSdk() });
    expect(out.handle).toBeNull();
    expect(out.notice).toContain("http://127.0.0.1:7462");
    expect(out.notice).toContain("the ngrok agent forwards to :8080, not to :7462");
  });

  it("attaches to a running agent that forwards to our port, before trying the SDK", async () => {
    const api = await startAgentApi({ json: v3Tunnels(`http://localhost:${PORT}`, "https://attached.ngrok-free.app") });
    apis.push(api);
    const out = await openTunnel(opts({ ngrokApi: api.url, env: { NGROK_AUTHTOKEN: SECRET } }), { loadSdk: noSdk() });
    expect(out.handle).toMatchObject({ provider: "ngrok-agent", publicUrl: "https://attached.ngrok-free.app", ownsTunnel: false });
    expect(out.notice).toBeUndefined();
  });

  it("with a token and a working SDK → ngrok handle; status events reach onStatus", async () => {
    const fake = fakeSdk({ url: "https://sdk.ngrok-free.app" });
    const events: TunnelStatusEvent[] = [];
    const out = await openTunnel(opts({ ngrokAuthtoken: SECRET, ngrokDomain: "me.ngrok.app", onStatus: (e) => events.push(e) }), {
      fetchJson: refusedFetch(),
      loadSdk: async () => fake.sdk,
    });
    expect(out.handle).toMatchObject({ provider: "ngrok", publicUrl: "https://sdk.ngrok-free.app", ownsTunnel: true });
    expect(fake.configs[0]).toMatchObject({ addr: "127.0.0.1:7462", authtoken: SECRET, domain: "me.ngrok.app", force_new_session: true });
    fake.configs[0]!.onStatusChange!("closed");
    expect(events).toEqual([expect.objectContaining({ kind: "disconnected" })]);
    await out.handle!.close();
    expect(fake.calls).toEqual(["forward", "listener.close", "disconnect"]);
  });

  it("uses the token from the ngrok agent's config file", async () => {
    const cfgHome = await mkdtemp(join(tmpdir(), "sh-tunnel-open-cfg-"));
    try {
      await mkdir(join(cfgHome, ".config", "ngrok"), { recursive: true });
      await writeFile(join(cfgHome, ".config", "ngrok", "ngrok.yml"), `version: "3"\nagent:\n  authtoken: ${SECRET}\n`);
      const fake = fakeSdk({ url: "https://cfg.ngrok-free.app" });
      const out = await openTunnel(opts({ homeDir: cfgHome }), { fetchJson: refusedFetch(), loadSdk: async () => fake.sdk });
      expect(out.handle?.publicUrl).toBe("https://cfg.ngrok-free.app");
      expect(fake.configs[0]?.authtoken).toBe(SECRET);
      await out.handle!.close();
    } finally {
      await rm(cfgHome, { recursive: true, force: true });
    }
  });

  it("with a token and a failing SDK → local only, with the error and a notice that explains it", async () => {
    const fake = fakeSdk({ reject: ngrokError("failed to connect session: authentication failed", "ERR_NGROK_4018") });
    const out = await openTunnel(opts({ env: { NGROK_AUTHTOKEN: SECRET } }), { fetchJson: refusedFetch(), loadSdk: async () => fake.sdk });
    expect(out.handle).toBeNull();
    expect(out.error).toBeInstanceOf(TunnelError);
    expect(out.error?.kind).toBe("AUTH_MISSING");
    expect(out.notice).toContain("ngrok needs an auth token");
    expect(out.notice).toContain("https://ngrok.com/docs/errors/err_ngrok_4018");
    expect(out.notice).toContain("local-only at http://127.0.0.1:7462");
    expect(out.notice).toContain("--require-tunnel");
    expect(`${out.notice} ${out.error?.message} ${out.error?.hint}`).not.toContain(SECRET);
  });

  it("a hanging SDK → local only with TIMEOUT after timeoutMs", async () => {
    const t0 = Date.now();
    const out = await openTunnel(opts({ ngrokAuthtoken: SECRET, timeoutMs: 150 }), { fetchJson: refusedFetch(), loadSdk: async () => fakeSdk({ hang: true }).sdk });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(out.handle).toBeNull();
    expect(out.error?.kind).toBe("TIMEOUT");
  });

  it("an SDK that cannot load → local only with UNAVAILABLE", async () => {
    const out = await openTunnel(opts({ ngrokAuthtoken: SECRET }), { fetchJson: refusedFetch(), loadSdk: () => Promise.reject(new Error("no binary")) });
    expect(out.error?.kind).toBe("UNAVAILABLE");
    expect(out.handle).toBeNull();
  });

  it("requireTunnel makes a failure reject", async () => {
    const fake = fakeSdk({ reject: ngrokError("failed to connect session: failed to establish tcp connection") });
    const err = await rejectionOf(openTunnel(opts({ ngrokAuthtoken: SECRET, requireTunnel: true }), { fetchJson: refusedFetch(), loadSdk: async () => fake.sdk }));
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as TunnelError).kind).toBe("NETWORK");
    expect((err as TunnelError).exitCode).toBe(3);
  });

  it("requireTunnel with nothing to open rejects with the same advice", async () => {
    const err = await rejectionOf(openTunnel(opts({ requireTunnel: true }), { fetchJson: refusedFetch(), loadSdk: noSdk() }));
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as TunnelError).kind).toBe("AUTH_MISSING");
    expect((err as TunnelError).hint).toContain("ngrok http 7462");
  });

  it("real SDK end to end: a closed server_addr → local only with NETWORK", async () => {
    const [agentPort, ngrokPort] = [await closedPort(), await closedPort()];
    const out = await openTunnel(opts({ ngrokAuthtoken: "fake-token-for-tests", ngrokApi: `http://127.0.0.1:${agentPort}`, ngrokServerAddr: `127.0.0.1:${ngrokPort}` }));
    expect(out.handle).toBeNull();
    expect(out.error?.kind).toBe("NETWORK");
    expect(out.notice).toContain("could not reach ngrok's service");
  });
});

describe("openTunnel: explicit choices are fatal (§5.3 rule 1)", () => {
  it("--tunnel ngrok without a token rejects AUTH_MISSING without loading the SDK", async () => {
    const err = await rejectionOf(openTunnel(opts({ choice: "ngrok" }), { fetchJson: refusedFetch(), loadSdk: noSdk() }));
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as TunnelError).kind).toBe("AUTH_MISSING");
  });

  it("--tunnel ngrok failure rejects, and the agent is not probed", async () => {
    const seen: string[] = [];
    const fake = fakeSdk({ reject: ngrokError("failed to connect session: x", "ERR_NGROK_108") });
    const err = await rejectionOf(openTunnel(opts({ choice: "ngrok", ngrokAuthtoken: SECRET }), { fetchJson: refusedFetch(seen), loadSdk: async () => fake.sdk }));
    expect((err as TunnelError).kind).toBe("SESSION_LIMIT");
    expect(seen).toEqual([]);
  });

  it("--tunnel ngrok-agent with nothing running rejects AGENT_NOT_RUNNING", async () => {
    const port = await closedPort();
    const err = await rejectionOf(openTunnel(opts({ choice: "ngrok-agent", ngrokApi: `http://127.0.0.1:${port}` }), { loadSdk: noSdk() }));
    expect((err as TunnelError).kind).toBe("AGENT_NOT_RUNNING");
  });

  it("--tunnel ngrok-agent attaches through --ngrok-api", async () => {
    const api = await startAgentApi({ json: v3Tunnels(`localhost:${PORT}`, "https://explicit.ngrok-free.app") });
    apis.push(api);
    const out = await openTunnel(opts({ choice: "ngrok-agent", ngrokApi: api.url }), { loadSdk: noSdk() });
    expect(out.handle?.publicUrl).toBe("https://explicit.ngrok-free.app");
  });
});

describe("openTunnel: manual and none", () => {
  it("--tunnel manual without --public-url rejects with a usage error naming the flag", async () => {
    const err = await rejectionOf(openTunnel(opts({ choice: "manual" }), { fetchJson: refusedFetch(), loadSdk: noSdk() }));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain("--public-url");
    expect((err as UsageError).exitCode).toBe(2);
  });

  it("--public-url → manual handle without probing anything", async () => {
    const seen: string[] = [];
    for (const choice of ["auto", "manual"] as const) {
      const out = await openTunnel(opts({ choice, publicUrl: "https://me.example.com/hooks/" }), { fetchJson: refusedFetch(seen), loadSdk: noSdk() });
      expect(out.handle).toMatchObject({ provider: "manual", publicUrl: "https://me.example.com/hooks", ownsTunnel: false });
      await out.handle!.close();
    }
    expect(seen).toEqual([]);
  });

  it("rejects a --public-url that is not http(s), and one combined with --tunnel ngrok", async () => {
    expect(await rejectionOf(openTunnel(opts({ publicUrl: "ftp://x" }), { loadSdk: noSdk() }))).toBeInstanceOf(UsageError);
    const err = await rejectionOf(openTunnel(opts({ choice: "ngrok", publicUrl: "https://x.example" }), { loadSdk: noSdk() }));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe("--public-url cannot be combined with --tunnel ngrok");
  });

  it("--tunnel none → local only without probing; with --require-tunnel it is a usage error", async () => {
    const seen: string[] = [];
    const out = await openTunnel(opts({ choice: "none", ngrokAuthtoken: SECRET }), { fetchJson: refusedFetch(seen), loadSdk: noSdk() });
    expect(out.handle).toBeNull();
    expect(out.error).toBeUndefined();
    expect(out.notice).toContain("http://127.0.0.1:7462");
    expect(seen).toEqual([]);
    expect(await rejectionOf(openTunnel(opts({ choice: "none", requireTunnel: true }), { loadSdk: noSdk() }))).toBeInstanceOf(UsageError);
  });
});
