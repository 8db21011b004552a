import { afterEach, describe, expect, it } from "vitest";
import {
  addrPort,
  agentFailure,
  defaultAgentApis,
  fetchJsonHttp,
  findAgentMatch,
  ngrokAgentProvider,
  parseAgentTunnels,
  pickAgentTunnel,
  probeAgents,
  queryAgent,
} from "../../src/tunnel/ngrok-agent.js";
import { TunnelError } from "../../src/tunnel/types.js";
import { closedPort, startAgentApi, v2Tunnels, v3Tunnels, type AgentApi, type AgentAnswer } from "../helpers/tunnel-fakes.js";

// The attach provider against a loopback fake of the agent's local API (tunnels.md §3, §5.5 third row).
const PORT = 7462;
const apis: AgentApi[] = [];

async function agent(answer: AgentAnswer): Promise<AgentApi> {
  const api = await startAgentApi(answer);
  apis.push(api);
  return api;
}

afterEach(async () => {
  await Promise.all(apis.splice(0).map((a) => a.close()));
});

async function attach(apiBase: string, localPort = PORT) {
  return ngrokAgentProvider({ apiBase }).start({ localPort, timeoutMs: 2000 });
}

async function attachError(apiBase: string, localPort = PORT): Promise<TunnelError> {
  const err = await attach(apiBase, localPort).then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TunnelError);
  return err as TunnelError;
}

describe("addrPort (§3.1 matching rule)", () => {
  it.each([
    ["http://localhost:8001", 8001],
    ["localhost:7462", 7462],
    ["127.0.0.1:7462", 7462],
    ["https://localhost:8443", 8443],
    ["http://localhost", 80],
    ["https://example.internal", 443],
    ["localhost", 80],
    ["8080", 8080],
    ["[::1]:7462", 7462],
    ["file:///var/www", undefined],
    ["", undefined],
  ] as const)("%j → %s", (addr, port) => {
    expect(addrPort(addr)).toBe(port);
  });
});

describe("parseAgentTunnels / pickAgentTunnel", () => {
  it("prefers https in a v2 pair even when http is listed first", () => {
    const tunnels = parseAgentTunnels(v2Tunnels(`localhost:${PORT}`))!;
    expect(tunnels).toHaveLength(2);
    expect(pickAgentTunnel(tunnels, PORT)?.publicUrl).toBe("https://1a2b3c4d.ngrok.io");
  });

  it("falls back to an http tunnel when that is all there is, and skips non-HTTP tunnels", () => {
    const tunnels = parseAgentTunnels({
      tunnels: [
        { public_url: "tcp://0.tcp.ngrok.io:12345", proto: "tcp", config: { addr: `localhost:${PORT}` } },
        { public_url: "http://plain.ngrok.io", proto: "http", config: { addr: `localhost:${PORT}` } },
      ],
    })!;
    expect(pickAgentTunnel(tunnels, PORT)?.publicUrl).toBe("http://plain.ngrok.io");
    expect(pickAgentTunnel(tunnels.slice(0, 1), PORT)).toBeUndefined();
  });

  it("rejects bodies without a tunnels list", () => {
    expect(parseAgentTunnels({})).toBeNull();
    expect(parseAgentTunnels(null)).toBeNull();
    expect(parseAgentTunnels("[]")).toBeNull();
    expect(parseAgentTunnels({ tunnels: [null, 3, { name: "no url" }] })).toEqual([]);
  });
});

describe("ngrok-agent provider against a fake agent API", () => {
  it("v3 single tunnel → handle with its URL, not owned, close is a no-op", async () => {
    const api = await agent({ json: v3Tunnels(`http://localhost:${PORT}`, "https://abc-123.ngrok-free.app/") });
    const handle = await attach(api.url);
    expect(handle).toMatchObject({ provider: "ngrok-agent", publicUrl: "https://abc-123.ngrok-free.app", ownsTunnel: false });
    await handle.close();
    await handle.close();
    // close() never talks to the agent: the user's tunnel stays up.
    expect(api.requests).toEqual(["GET /api/tunnels"]);
  });

  it("v2 pair → the https one", async () => {
    const api = await agent({ json: v2Tunnels(`localhost:${PORT}`) });
    expect((await attach(`${api.url}/`)).publicUrl).toBe("https://1a2b3c4d.ngrok.io");
  });

  it("a tunnel for another port → NO_MATCHING_TUNNEL naming both ports", async () => {
    const api = await agent({ json: v3Tunnels("http://localhost:8080") });
    const err = await attachError(api.url);
    expect(err.kind).toBe("NO_MATCHING_TUNNEL");
    expect(err.code).toBe("SH_TUNNEL_NO_MATCHING_TUNNEL");
    expect(err.message).toBe("the ngrok agent forwards to :8080, but sinch-hooks listens on :7462");
    expect(err.hint).toContain("ngrok http 7462");
  });

  it("several other ports are all listed once", async () => {
    const api = await agent({
      json: { tunnels: [...(v2Tunnels("localhost:8080") as { tunnels: unknown[] }).tunnels, ...(v3Tunnels("http://localhost:3000") as { tunnels: unknown[] }).tunnels] },
    });
    expect((await attachError(api.url)).message).toBe("the ngrok agent forwards to :8080 and :3000, but sinch-hooks listens on :7462");
  });

  it("an empty tunnel list → NO_MATCHING_TUNNEL saying the agent has none", async () => {
    const api = await agent({ json: { tunnels: [], uri: "/api/tunnels" } });
    const err = await attachError(api.url);
    expect(err.kind).toBe("NO_MATCHING_TUNNEL");
    expect(err.message).toBe(`the ngrok agent at ${api.url} has no tunnels, but sinch-hooks listens on :7462`);
    expect(err.hint).toContain("ngrok http 7462");
  });

  it("HTTP 500 → UNKNOWN with the status and body", async () => {
    const api = await agent({ status: 500, raw: "internal error: tunnel session broken" });
    const err = await attachError(api.url);
    expect(err.kind).toBe("UNKNOWN");
    expect(err.message).toBe(`the ngrok agent API at ${api.url} answered HTTP 500: internal error: tunnel session broken`);
  });

  it("invalid JSON → UNKNOWN with detail", async () => {
    const api = await agent({ raw: "<html>not the agent</html>" });
    const err = await attachError(api.url);
    expect(err.kind).toBe("UNKNOWN");
    expect(err.message).toContain("sent invalid JSON");
    expect(err.message).toContain("<html>not the agent</html>");
  });

  it("JSON of the wrong shape → UNKNOWN", async () => {
    const api = await agent({ json: { hello: "world" } });
    const err = await attachError(api.url);
    expect(err.kind).toBe("UNKNOWN");
    expect(err.message).toContain('no "tunnels" list');
  });

  it("a closed port → AGENT_NOT_RUNNING with how to start one", async () => {
    const port = await closedPort();
    const err = await attachError(`http://127.0.0.1:${port}`);
    expect(err.kind).toBe("AGENT_NOT_RUNNING");
    expect(err.message).toBe(`no ngrok agent is running (nothing answered at http://127.0.0.1:${port})`);
    expect(err.hint).toContain("ngrok http 7462");
    expect(err.exitCode).toBe(3);
  });

  it("a server that never answers → TIMEOUT within the request timeout", async () => {
    const { createServer } = await import("node:net");
    const sockets: import("node:net").Socket[] = [];
    const server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as import("node:net").AddressInfo).port;
      const t0 = Date.now();
      const probe = await queryAgent(`http://127.0.0.1:${port}`, 150);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(probe.ok).toBe(false);
      expect(!probe.ok && probe.error.kind).toBe("TIMEOUT");
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("probing several agent ports (§5.3 rule 2)", () => {
  it("queries all in parallel, picks the first with a matching tunnel, and explains failures by priority", async () => {
    const wrong = await agent({ json: v3Tunnels("http://localhost:8080") });
    const right = await agent({ json: v3Tunnels(`http://localhost:${PORT}`, "https://right.ngrok-free.app") });
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const probes = await probeAgents([dead, wrong.url, right.url], 200);
    expect(probes.map((p) => p.ok)).toEqual([false, true, true]);
    const match = findAgentMatch(probes, PORT);
    expect(match?.api).toBe(right.url);
    expect(match?.tunnel.publicUrl).toBe("https://right.ngrok-free.app");

    // No match anywhere: a wrong-port agent explains more than a dead port.
    const err = agentFailure(await probeAgents([dead, wrong.url], 200), [dead, wrong.url], PORT);
    expect(err.kind).toBe("NO_MATCHING_TUNNEL");
    // Only broken or dead ones: the broken answer is the explanation.
    const broken = await agent({ status: 500, raw: "" });
    const err2 = agentFailure(await probeAgents([dead, broken.url], 200), [dead, broken.url], PORT);
    expect(err2.kind).toBe("UNKNOWN");
    expect(err2.message).toContain("HTTP 500");
  });

  it("probes 127.0.0.1:4040-4045 by default and names the range when nothing answers", async () => {
    expect(defaultAgentApis()).toEqual([4040, 4041, 4042, 4043, 4044, 4045].map((p) => `http://127.0.0.1:${p}`));
    const requested: string[] = [];
    const err = await ngrokAgentProvider({
      fetchJson: async (url, timeoutMs) => {
        requested.push(`${url} ${timeoutMs}`);
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      },
    })
      .start({ localPort: PORT, timeoutMs: 15000 })
      .catch((e: unknown) => e as TunnelError);
    expect(requested).toEqual(defaultAgentApis().map((a) => `${a}/api/tunnels 1000`));
    expect(err).toBeInstanceOf(TunnelError);
    expect((err as TunnelError).kind).toBe("AGENT_NOT_RUNNING");
    expect((err as TunnelError).message).toBe("no ngrok agent is running (nothing answered at http://127.0.0.1:4040-4045)");
  });
});

describe("fetchJsonHttp", () => {
  it("returns status and parsed JSON; non-JSON error bodies as text", async () => {
    const ok = await agent({ json: { tunnels: [] } });
    expect(await fetchJsonHttp(`${ok.url}/api/tunnels`, 1000)).toEqual({ status: 200, body: { tunnels: [] } });
    expect(await fetchJsonHttp(`${ok.url}/elsewhere`, 1000)).toEqual({ status: 404, body: undefined });
    const bad = await agent({ status: 502, raw: "bad gateway" });
    expect(await fetchJsonHttp(`${bad.url}/api/tunnels`, 1000)).toEqual({ status: 502, body: "bad gateway" });
  });

  it("rejects with the socket error code when refused", async () => {
    const port = await closedPort();
    await expect(fetchJsonHttp(`http://127.0.0.1:${port}/api/tunnels`, 1000)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});
