import { afterEach, describe, expect, it, vi } from "vitest";
import { ngrokProvider, CLOSE_TIMEOUT_MS } from "../../src/tunnel/ngrok.js";
import { TunnelError, type TunnelStatusEvent } from "../../src/tunnel/types.js";
import { fakeSdk, ngrokError, sleep } from "../helpers/tunnel-fakes.js";

// The ngrok provider against an injected SDK (tunnels.md §5.5, first row).
const TOKEN = "fake-token-for-tests";

function start(fake: ReturnType<typeof fakeSdk>, extra: { domain?: string; serverAddr?: string; host?: string; timeoutMs?: number; onStatus?: (e: TunnelStatusEvent) => void } = {}) {
  return ngrokProvider({ token: TOKEN, tokenSource: "env", domain: extra.domain, serverAddr: extra.serverAddr, loadSdk: async () => fake.sdk }).start({
    localPort: 7462,
    localHost: extra.host ?? "127.0.0.1",
    timeoutMs: extra.timeoutMs ?? 1000,
    onStatus: extra.onStatus,
  });
}

async function rejection(p: Promise<unknown>): Promise<TunnelError> {
  const err = await p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TunnelError);
  return err as TunnelError;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("ngrok provider: config and success", () => {
  it("passes addr 127.0.0.1:PORT, the token and force_new_session, and returns the URL without a trailing slash", async () => {
    const fake = fakeSdk({ url: "https://x.ngrok-free.app/" });
    const handle = await start(fake);
    expect(handle).toMatchObject({ provider: "ngrok", publicUrl: "https://x.ngrok-free.app", ownsTunnel: true });
    expect(fake.configs).toHaveLength(1);
    const cfg = fake.configs[0]!;
    expect(cfg).toMatchObject({ addr: "127.0.0.1:7462", authtoken: TOKEN, force_new_session: true });
    expect(typeof cfg.onStatusChange).toBe("function");
    // Not set unless asked for: no stray domain, and never a server_addr in production.
    expect("domain" in cfg).toBe(false);
    expect("server_addr" in cfg).toBe(false);
    expect("authtoken_from_env" in cfg).toBe(false);
    await handle.close();
  });

  it("passes domain and server_addr when given", async () => {
    const fake = fakeSdk({ url: "https://me.ngrok.app" });
    const handle = await start(fake, { domain: "me.ngrok.app", serverAddr: "127.0.0.1:9" });
    expect(fake.configs[0]).toMatchObject({ domain: "me.ngrok.app", server_addr: "127.0.0.1:9" });
    await handle.close();
  });

  it("forwards to loopback when the listener binds a wildcard, and brackets IPv6", async () => {
    const fake = fakeSdk({ url: "https://x.ngrok-free.app" });
    await (await start(fake, { host: "0.0.0.0" })).close();
    await (await start(fake, { host: "::" })).close();
    await (await start(fake, { host: "::1" })).close();
    expect(fake.configs.map((c) => c.addr)).toEqual(["127.0.0.1:7462", "127.0.0.1:7462", "[::1]:7462"]);
  });

  it("refuses early without a token: no SDK load, no dial (§1.4)", async () => {
    const fake = fakeSdk({ url: "https://x.ngrok-free.app" });
    let loaded = false;
    const p = ngrokProvider({ token: "  ", loadSdk: async () => ((loaded = true), fake.sdk) }).start({ localPort: 7462, timeoutMs: 1000 });
    const err = await rejection(p);
    expect(err.kind).toBe("AUTH_MISSING");
    expect(err.code).toBe("SH_TUNNEL_AUTH_MISSING");
    expect(err.hint).toContain("NGROK_AUTHTOKEN");
    expect(err.hint).toContain("ngrok http 7462");
    expect(loaded).toBe(false);
    expect(fake.calls).toEqual([]);
  });

  it("reports a tunnel without a URL as UNKNOWN and closes it", async () => {
    const fake = fakeSdk({ url: null });
    const err = await rejection(start(fake));
    expect(err.kind).toBe("UNKNOWN");
    await sleep(0);
    expect(fake.calls).toEqual(["forward", "listener.close"]);
  });
});

describe("ngrok provider: error mapping (§5.1)", () => {
  it.each([
    ["ERR_NGROK_4018", "AUTH_MISSING"],
    ["ERR_NGROK_105", "AUTH_INVALID"],
    ["ERR_NGROK_107", "AUTH_INVALID"],
    ["ERR_NGROK_108", "SESSION_LIMIT"],
    ["ERR_NGROK_334", "DOMAIN"],
    ["ERR_NGROK_326", "DOMAIN"],
  ] as const)("%s → %s", async (code, kind) => {
    const fake = fakeSdk({ reject: ngrokError("failed to connect session: rejected by ngrok", code) });
    const err = await rejection(start(fake, { domain: "me.ngrok.app" }));
    expect(err.kind).toBe(kind);
    expect(err.providerCode).toBe(code);
    expect(err.hint).toContain(`https://ngrok.com/docs/errors/${code.toLowerCase()}`);
    expect(`${err.message} ${err.hint}`).not.toContain(TOKEN);
  });

  it("GenericFailure 'failed to establish tcp connection' → NETWORK", async () => {
    const err = await rejection(start(fakeSdk({ reject: ngrokError("failed to connect session: failed to establish tcp connection") })));
    expect(err.kind).toBe("NETWORK");
    expect(err.providerCode).toBeUndefined();
  });

  it("a synchronous throw from forward() is mapped too", async () => {
    const fake = fakeSdk({ url: "https://x" });
    fake.sdk.forward = () => {
      throw ngrokError("boom", "ERR_NGROK_105");
    };
    expect((await rejection(start(fake))).kind).toBe("AUTH_INVALID");
  });

  it("an import failure → UNAVAILABLE", async () => {
    const p = ngrokProvider({
      token: TOKEN,
      loadSdk: () => Promise.reject(new Error("Cannot find module '@ngrok/ngrok-linux-x64-gnu'")),
    }).start({ localPort: 7462, timeoutMs: 1000 });
    const err = await rejection(p);
    expect(err.kind).toBe("UNAVAILABLE");
    expect(err.message).toContain("@ngrok/ngrok-linux-x64-gnu");
    expect(err.hint).toContain("--tunnel ngrok-agent");
    expect(err.hint).toContain("ngrok http 7462");
  });

  it("an UNAVAILABLE error from the loader keeps its detail and gets the real port in the hint", async () => {
    const pre = new TunnelError("UNAVAILABLE", "the ngrok SDK is not available", { cause: new Error("no @ngrok/ngrok-linux-x64-gnu") });
    const err = await rejection(ngrokProvider({ token: TOKEN, loadSdk: () => Promise.reject(pre) }).start({ localPort: 7462, timeoutMs: 1000 }));
    expect(err.kind).toBe("UNAVAILABLE");
    expect(err.message).toContain("no @ngrok/ngrok-linux-x64-gnu");
    expect(err.hint).toContain("ngrok http 7462");
  });
});

describe("ngrok provider: timeout (§1.5 hang-forever, §5.4)", () => {
  it("a forward() that never settles → TIMEOUT after the configured time, without disconnect()", async () => {
    const fake = fakeSdk({ hang: true });
    const t0 = Date.now();
    const err = await rejection(start(fake, { timeoutMs: 200 }));
    const elapsed = Date.now() - t0;
    expect(err.kind).toBe("TIMEOUT");
    expect(err.message).toContain("200 ms");
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1000);
    expect(fake.calls).toEqual(["forward"]);
  });

  it("a tunnel that comes up after the timeout is closed in the background", async () => {
    let finish!: (v: { url: string }) => void;
    const fake = fakeSdk({ later: new Promise((r) => (finish = r)) });
    const err = await rejection(start(fake, { timeoutMs: 50 }));
    expect(err.kind).toBe("TIMEOUT");
    finish({ url: "https://late.ngrok-free.app" });
    await sleep(10);
    expect(fake.calls).toEqual(["forward", "late.close"]);
  });

  it("after a hung start, a later handle's close() does not call the blocking disconnect()", async () => {
    const fake = fakeSdk({ hang: true }, { url: "https://x.ngrok-free.app" });
    await rejection(start(fake, { timeoutMs: 50 }));
    const handle = await start(fake, { timeoutMs: 1000 });
    const t0 = Date.now();
    await handle.close();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(fake.calls).toEqual(["forward", "forward", "listener.close"]);
  });
});

describe("ngrok provider: close and status", () => {
  it("close() calls listener.close() then disconnect(), once, however often it is called", async () => {
    const fake = fakeSdk({ url: "https://x.ngrok-free.app" });
    const handle = await start(fake);
    const a = handle.close();
    const b = handle.close();
    expect(a).toBe(b);
    await Promise.all([a, b, handle.close()]);
    expect(fake.calls).toEqual(["forward", "listener.close", "disconnect"]);
  });

  it("close() gives up after 3 s when the SDK hangs, and does not reject", async () => {
    const fake = fakeSdk({ url: "https://x.ngrok-free.app" });
    const handle = await start(fake);
    fake.hangListenerClose = true;
    vi.useFakeTimers();
    let done = false;
    const p = handle.close().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(CLOSE_TIMEOUT_MS - 10);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    await p;
    expect(done).toBe(true);
    expect(CLOSE_TIMEOUT_MS).toBe(3000);
  });

  it("close() swallows SDK errors", async () => {
    const fake = fakeSdk({ url: "https://x.ngrok-free.app" });
    const handle = await start(fake);
    fake.sdk.disconnect = () => Promise.reject(new Error("already gone"));
    await expect(handle.close()).resolves.toBeUndefined();
  });

  it("maps onStatusChange closed/connected to disconnected/reconnected, ignoring the first connect and events after close", async () => {
    const events: TunnelStatusEvent[] = [];
    const fake = fakeSdk({ url: "https://x.ngrok-free.app" });
    const handle = await start(fake, { onStatus: (e) => events.push(e) });
    const emit = fake.configs[0]!.onStatusChange!;
    emit("connected"); // initial connect: not news
    emit("closed");
    emit("connected");
    emit("something-else");
    expect(events.map((e) => e.kind)).toEqual(["disconnected", "reconnected"]);
    expect(events[0]?.detail).toMatch(/reconnects by itself/);
    await handle.close();
    emit("closed");
    expect(events).toHaveLength(2);
  });

  it("a throwing onStatus callback does not escape into the SDK", async () => {
    const fake = fakeSdk({ url: "https://x.ngrok-free.app" });
    const handle = await start(fake, {
      onStatus: () => {
        throw new Error("listener bug");
      },
    });
    expect(() => fake.configs[0]!.onStatusChange!("closed")).not.toThrow();
    await handle.close();
  });
});
