/**
 * The real @ngrok/ngrok SDK, hermetic: every call sets server_addr to loopback, so nothing ever reaches
 * ngrok's cloud even on a machine with internet (tunnels.md §1.6, §5.5 second row). These pin the
 * messages our mapping relies on (§1.5) and the hang-forever behaviour our timeout exists for.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { loadNgrokSdk, ngrokProvider } from "../../src/tunnel/ngrok.js";
import { TunnelError, type NgrokSdkLike } from "../../src/tunnel/types.js";
import { closedPort } from "../helpers/tunnel-fakes.js";

const TOKEN = "fake-token-for-tests";
const SDK_URL = pathToFileURL(createRequire(import.meta.url).resolve("@ngrok/ngrok")).href;

const children = new Set<ChildProcess>();
const servers = new Set<{ server: Server; sockets: Set<Socket> }>();

afterEach(async () => {
  for (const child of children) await killChild(child);
  for (const s of servers) {
    for (const sock of s.sockets) sock.destroy();
    await new Promise<void>((r) => s.server.close(() => r()));
  }
  servers.clear();
});

afterAll(() => {
  expect(children.size).toBe(0);
});

/** A TCP server on loopback; `onConnection` decides what to do with each socket. */
async function tcpServer(onConnection: (sock: Socket) => void): Promise<{ port: number; connections: () => number }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((sock) => {
    count++;
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => {});
    onConnection(sock);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.add({ server, sockets });
  return { port: (server.address() as AddressInfo).port, connections: () => count };
}

function spawnNode(args: string[]): { child: ChildProcess; lines: string[]; nextLine: () => Promise<string> } {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  const lines: string[] = [];
  const waiters: Array<(l: string) => void> = [];
  let buf = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      waiters.shift()?.(line);
    }
  });
  child.stderr!.resume();
  let read = 0;
  const nextLine = (): Promise<string> =>
    read < lines.length
      ? Promise.resolve(lines[read++]!)
      : new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`child printed nothing; lines so far: ${JSON.stringify(lines)}`)), 5000);
          waiters.push((l) => {
            clearTimeout(timer);
            read++;
            resolve(l);
          });
        });
  return { child, lines, nextLine };
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGKILL");
    await exited;
  }
  children.delete(child);
}

function realProvider(serverAddr: string, loadSdk?: () => Promise<NgrokSdkLike>) {
  return ngrokProvider({ token: TOKEN, serverAddr, loadSdk });
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

describe("real @ngrok/ngrok SDK against loopback server_addr", () => {
  it("loads lazily through the default loader", async () => {
    const sdk = await loadNgrokSdk();
    expect(typeof sdk.forward).toBe("function");
    expect(typeof sdk.disconnect).toBe("function");
    expect(await loadNgrokSdk()).toBe(sdk); // cached: one identity per process
  });

  it("a closed port → NETWORK within a second", async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const err = await rejection(realProvider(`127.0.0.1:${port}`).start({ localPort: 7462, timeoutMs: 5000 }));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err.kind).toBe("NETWORK");
    expect(err.message).toContain("failed to establish tcp connection");
    expect(err.providerCode).toBeUndefined();
    expect(err.message).not.toContain(TOKEN);
  });

  it("a plain TCP server that closes at once → NETWORK (tls handshake)", async () => {
    const server = await tcpServer((sock) => sock.destroy());
    const t0 = Date.now();
    const err = await rejection(realProvider(`127.0.0.1:${server.port}`).start({ localPort: 7462, timeoutMs: 5000 }));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err.kind).toBe("NETWORK");
    expect(err.message).toContain("tls handshake");
    expect(server.connections()).toBeGreaterThanOrEqual(1);
  });

  it("a silent server (in a child process) → TIMEOUT from our wrapper; no disconnect(); killing the server releases the SDK", async () => {
    const silent = spawnNode(["-e", 'const s=require("node:net").createServer(()=>{});s.listen(0,"127.0.0.1",()=>console.log(s.address().port))']);
    const port = Number(await silent.nextLine());
    expect(port).toBeGreaterThan(0);

    const real = await loadNgrokSdk();
    let raw: Promise<unknown> | undefined;
    let disconnects = 0;
    const spy: NgrokSdkLike = {
      forward: (cfg) => {
        const p = real.forward(cfg);
        raw = p;
        return p;
      },
      disconnect: (url) => {
        disconnects++;
        return real.disconnect(url);
      },
    };

    const t0 = Date.now();
    const err = await rejection(realProvider(`127.0.0.1:${port}`, async () => spy).start({ localPort: 7462, timeoutMs: 200 }));
    const elapsed = Date.now() - t0;
    expect(err.kind).toBe("TIMEOUT");
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1500);
    expect(disconnects).toBe(0);
    expect(raw).toBeDefined();

    // The SDK's connect is still pending (§1.5). Ending the silent peer makes it fail, so this test
    // process is left with nothing running.
    let settled = false;
    void raw!.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    await killChild(silent.child);
    const outcome = await Promise.race([
      raw!.then(
        () => "resolved",
        (e: unknown) => `rejected: ${(e as Error).message}`,
      ),
      new Promise<string>((r) => setTimeout(() => r("still pending"), 3000)),
    ]);
    expect(outcome).toMatch(/^rejected: failed to connect session/);
  });

  it("the raw SDK never settles against a silent server, and disconnect() blocks behind it (whole case in a child process)", async () => {
    // The silent server lives here; the child holds nothing but the SDK call, so if the SDK settled the
    // child would exit by itself. It has to be killed instead.
    const server = await tcpServer(() => {});
    const script = `
      const { default: ngrok } = await import(${JSON.stringify(SDK_URL)});
      ngrok.forward({ addr: "127.0.0.1:1", authtoken: ${JSON.stringify(TOKEN)}, server_addr: "127.0.0.1:${server.port}", force_new_session: true })
        .then(() => console.log("settled:resolved"), (e) => console.log("settled:" + e.message));
      console.log("started");
      setTimeout(() => {
        ngrok.disconnect().then(() => console.log("disconnect:done"), (e) => console.log("disconnect:" + e.message));
        console.log("disconnect:called");
      }, 300).unref();
    `;
    const run = spawnNode(["--input-type=module", "-e", script]);
    expect(await run.nextLine()).toBe("started");
    expect(await run.nextLine()).toBe("disconnect:called");
    await new Promise((r) => setTimeout(r, 1200));
    expect(run.child.exitCode).toBeNull();
    expect(run.child.signalCode).toBeNull();
    expect(run.lines).toEqual(["started", "disconnect:called"]);
    expect(server.connections()).toBe(1);
    await killChild(run.child);
    expect(run.child.signalCode).toBe("SIGKILL");
  });
});
