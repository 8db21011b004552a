/**
 * The inspector server through `listen` (the CLI path), with plain HTTP: the Host guard, the SSE stream,
 * the JSON API (detail, curl, fixture), the live response mode, replay, and the history bound.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { runListen } from "../../src/listen/command.js";
import { basicAuthorization } from "../../src/sign/basic.js";
import { signHmac } from "../../src/sign/hmac.js";
import { fakeIo } from "../helpers/fake-io.js";
import { TargetServer } from "../helpers/target-server.js";
import { MO, SseReader, getJson, listenFlags, post, startListen, type RunningListen } from "./helpers.js";

interface Summary {
  id: number;
  group: number;
  type: string;
  fields: string;
  verdict: { word: string; tone: string };
  status: number;
  attempt: number;
}
interface State {
  info: { listenerUrl: string; forwardTo: string | null; canReplay: boolean; history: { max: number; size: number } };
  respond: { mode: string; active: number[] | null; configured: number[] | null };
  callbacks: Summary[];
}

let running: RunningListen | undefined;
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  if (running) await running.stop();
  running = undefined;
  for (const c of cleanup.splice(0)) await c();
});

async function state(): Promise<State> {
  return (await getJson<State>(`${running!.inspectorUrl}/api/state`)).body;
}

describe("inspector: where it listens", () => {
  it("the ready line and the banner carry the inspector URL on 127.0.0.1", async () => {
    running = await startListen();
    expect(running.inspectorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await request(`${running.inspectorUrl}/`);
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(page.headers["x-frame-options"]).toBe("DENY");
    expect(await page.body.text()).toContain("<title>sinch-hooks inspector</title>");

    const io = fakeIo({ now: Date.now });
    const ac = new AbortController();
    const human = runListen(listenFlags({ json: false }), io, ac.signal, "1.0.0");
    const [, url] = await io.stdout.waitFor(/Inspect\s+(http:\/\/127\.0\.0\.1:\d+)\s+\(open in a browser; this machine only, last 500 callbacks\)/);
    expect((await request(`${url}/inspector.js`)).statusCode).toBe(200);
    ac.abort();
    expect(await human).toBe(0);
  });

  it("--no-inspect: no inspector, inspector_url null", async () => {
    running = await startListen({ inspect: false, inspectPort: undefined });
    expect(running.inspectorUrl).toBeNull();
  });

  it("refuses a Host that is not a loopback name on its port (DNS-rebinding guard)", async () => {
    running = await startListen();
    const port = new URL(running.inspectorUrl).port;
    const status = async (host: string, path = "/"): Promise<{ code: number; text: string }> => {
      const res = await request(`${running!.inspectorUrl}${path}`, { headers: { host } });
      return { code: res.statusCode, text: await res.body.text() };
    };
    const refused = await status("evil.example");
    expect(refused.code).toBe(403);
    expect(refused.text).toMatch(/^Forbidden: the sinch-hooks inspector only answers requests addressed to 127\.0\.0\.1:\d+/);
    expect(refused.text).not.toContain("evil.example");
    expect((await status(`evil.example:${port}`)).code).toBe(403);
    expect((await status(`evil.example:${port}`, "/api/state")).code).toBe(403);
    expect((await status(`evil.example:${port}`, "/api/events")).code).toBe(403);
    expect((await status(`127.0.0.1:${Number(port) + 1}`)).code).toBe(403);
    expect((await status("127.0.0.1")).code).toBe(403);
    expect((await status(`localhost:${port}`)).code).toBe(200);
    expect((await status(`LOCALHOST:${port}`)).code).toBe(200);
    expect((await status(`[::1]:${port}`)).code).toBe(200);
    expect((await status(`127.0.0.1:${port}`)).code).toBe(200);
  });

  it("the public listener has no inspector route", async () => {
    running = await startListen();
    for (const path of ["/", "/index.html", "/inspector.js", "/api/state", "/api/events", "/api/callbacks/1"]) {
      const res = await request(`${running.localUrl}${path}`);
      const text = await res.body.text();
      expect(res.statusCode, path).toBe(405);
      expect(text).not.toContain("inspector");
    }
  });

  it("falls back to a free port when the default is busy, and a busy explicit port is a usage error", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    cleanup.push(() => new Promise<void>((r) => blocker.close(() => r())));
    const busy = (blocker.address() as AddressInfo).port;

    const { startInspector } = await import("../../src/inspect/index.js");
    const base = { redact: false, listenerUrl: "http://127.0.0.1:1", respond: { set: () => {} } };
    const fallback = await startInspector({ ...base, defaultPort: busy });
    cleanup.push(() => fallback.close());
    expect(fallback.fellBackFrom).toBe(busy);
    expect(fallback.port).not.toBe(busy);
    await expect(startInspector({ ...base, port: busy })).rejects.toMatchObject({
      code: "SH_INSPECT_PORT_IN_USE",
      exitCode: 2,
      message: `inspector port ${busy} on 127.0.0.1 is already in use`,
    });

    const io = fakeIo({ now: Date.now });
    await expect(runListen(listenFlags({ inspectPort: busy }), io, new AbortController().signal)).rejects.toMatchObject({ code: "SH_INSPECT_PORT_IN_USE" });
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ inspect: false, inspectPort: 9000 }, /--inspect-port cannot be combined with --no-inspect/],
    [{ inspect: false, inspectPort: undefined, inspectHistory: 10 }, /--inspect-history cannot be combined with --no-inspect/],
    [{ port: 7555, inspectPort: 7555 }, /--inspect-port 7555 is the listener's own --port/],
    [{ inspectHistory: 0 }, /--inspect-history must be a whole number from 1 to 100000/],
  ])("flags %j are a usage error", async (over, message) => {
    const io = fakeIo();
    await expect(runListen(listenFlags(over), io, new AbortController().signal)).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
  });
});

describe("inspector: live list and details", () => {
  it("streams a snapshot, then each callback as it arrives", async () => {
    running = await startListen();
    const sse = await new SseReader().open(`${running.inspectorUrl}/api/events`);
    cleanup.push(async () => sse.close());
    expect(sse.status).toBe(200);
    expect(sse.contentType).toBe("text/event-stream; charset=utf-8");
    const snap = await sse.next("snapshot");
    expect((snap.data as State).callbacks).toEqual([]);

    expect(await post(`${running.localUrl}/sinch`, MO("01JFAKEMSG00000000000000A1"))).toBe(200);
    const { data } = await sse.next("callback");
    expect(data).toMatchObject({
      id: 1,
      type: "mo_text",
      fields: expect.stringContaining("+15550100001 → +15550100002"),
      verdict: { word: "valid", tone: "ok" },
      status: 200,
      statusTone: "ok",
      path: "/sinch",
      attempt: 1,
    });
  });

  it("an invalid callback's detail lists its validation errors with JSON pointers", async () => {
    running = await startListen();
    const bad = JSON.stringify({ type: "recipient_delivery_report_sms", batch_id: "01JFAKEBATCH0000000000000B", recipient: "+15550100003", status: "Delivered", code: "zero", at: "2026-11-27T12:00:00Z" });
    expect(await post(`${running.localUrl}/`, bad)).toBe(200);
    const { body: s } = await getJson<State>(`${running.inspectorUrl}/api/state`);
    expect(s.callbacks[0]!.verdict).toEqual({ word: expect.stringMatching(/^invalid \(\d+ errors?\)$/), tone: "bad" });
    const { status, body } = await getJson<{ errors: { pointer: string; message: string }[]; body: { text: string } }>(`${running.inspectorUrl}/api/callbacks/1`);
    expect(status).toBe(200);
    expect(body.errors).toContainEqual(expect.objectContaining({ pointer: "/code", message: expect.stringContaining("/code") }));
    expect(body.body.text).toBe(bad);
    expect((await getJson(`${running.inspectorUrl}/api/callbacks/99`)).status).toBe(404);
  });

  it("groups retries of the same callback and lists every delivery", async () => {
    running = await startListen({ respond: "503,200" });
    const body = MO("01JFAKEMSG00000000000000R1");
    expect(await post(`${running.localUrl}/`, body)).toBe(503);
    expect(await post(`${running.localUrl}/`, MO("01JFAKEMSG00000000000000R2"))).toBe(503);
    expect(await post(`${running.localUrl}/`, body)).toBe(200);
    const s = await state();
    expect(s.callbacks.map((c) => [c.id, c.attempt, c.status])).toEqual([
      [1, 1, 503],
      [2, 1, 503],
      [3, 2, 200],
    ]);
    expect(s.callbacks[0]!.group).toBe(s.callbacks[2]!.group);
    expect(s.callbacks[1]!.group).not.toBe(s.callbacks[0]!.group);
    const { body: d } = await getJson<{ deliveries: { id: number; status: number }[]; retry: string }>(`${running.inspectorUrl}/api/callbacks/3`);
    expect(d.deliveries.map((x) => [x.id, x.status])).toEqual([
      [1, 503],
      [3, 200],
    ]);
    expect(d.retry).toMatch(/^retry #1, \+\d+ s after first/);
  });

  it("masks credentials in headers and in the curl command, which re-sends the exact body", async () => {
    running = await startListen({ basicAuth: { user: "sinch", password: "pa55-word-SECRET" } });
    const body = MO("01JFAKEMSG00000000000000C1", "it's a \"quoted\" body");
    const auth = basicAuthorization("sinch", "pa55-word-SECRET");
    expect(await post(`${running.localUrl}/hooks/sms`, body, { authorization: auth, "x-custom": "kept" })).toBe(200);
    const { body: d } = await getJson<{ headers: Record<string, string> }>(`${running.inspectorUrl}/api/callbacks/1`);
    expect(d.headers.authorization).toBe("Basic ••••••");
    expect(d.headers["x-custom"]).toBe("kept");
    const res = await request(`${running.inspectorUrl}/api/callbacks/1/curl`);
    const curl = await res.body.text();
    expect(curl).toContain(`curl -sS -X POST '${running.localUrl}/hooks/sms'`);
    expect(curl).toContain("-H 'authorization: Basic <redacted>'");
    expect(curl).toContain("-H 'x-custom: kept'");
    expect(curl).toContain(`--data-binary '${body.replace(/'/g, "'\\''")}'`);
    const everything = JSON.stringify(d) + curl + JSON.stringify(await state());
    expect(everything).not.toContain("pa55-word-SECRET");
    expect(everything).not.toContain(auth.split(" ")[1]);
  });

  it("the fixture download is the same recording listen --record writes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sh-inspect-rec-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    running = await startListen({ record: dir, hmacSecret: "fixture-secret" });
    const body = MO("01JFAKEMSG00000000000000F1");
    const sig = signHmac({ secret: "fixture-secret", body, nonce: "01JFAKENONCE0000000000000F", timestamp: Math.floor(Date.now() / 1000) });
    expect(await post(`${running.localUrl}/sinch`, body, sig)).toBe(200);
    const res = await request(`${running.inspectorUrl}/api/callbacks/1/fixture`);
    expect(res.statusCode).toBe(200);
    const downloaded = JSON.parse(await res.body.text()) as Record<string, unknown>;
    await running.stop();
    running = undefined;
    const files = (await readdir(dir)).filter((f) => f.endsWith(".json"));
    expect(files).toHaveLength(1);
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="${files[0]}"`);
    expect(downloaded).toEqual(JSON.parse(await readFile(join(dir, files[0]!), "utf8")));
    expect(downloaded).toMatchObject({ _meta: { format: "sinch-hooks/recording", version: 1 }, body, path: "/sinch", verdict: { type: "mo_text", valid: true, status: 200 } });
  });

  it("--redact masks numbers and text in the list, the detail and the fixture", async () => {
    running = await startListen({ redact: true });
    expect(await post(`${running.localUrl}/`, MO("01JFAKEMSG00000000000000D1", "my secret message"))).toBe(200);
    const s = await state();
    const d = await getJson<{ body: { text: string; redacted: boolean } }>(`${running.inspectorUrl}/api/callbacks/1`);
    const fixture = await (await request(`${running.inspectorUrl}/api/callbacks/1/fixture`)).body.text();
    const curl = await (await request(`${running.inspectorUrl}/api/callbacks/1/curl`)).body.text();
    expect(d.body.body.redacted).toBe(true);
    for (const text of [JSON.stringify(s), JSON.stringify(d.body), fixture, curl]) {
      expect(text).not.toContain("my secret message");
      expect(text).not.toContain("+15550100001");
    }
  });
});

describe("inspector: actions", () => {
  it("the response-mode switch changes what the next callback gets, and 'configured' restores --respond", async () => {
    running = await startListen({ respond: "429" });
    const inspector = running.inspectorUrl;
    const switchTo = async (mode: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> => {
      const res = await request(`${inspector}/api/respond`, { method: "POST", body: JSON.stringify({ mode }), headers: { "content-type": "application/json", ...headers } });
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
    };
    expect((await state()).respond).toEqual({ mode: "configured", active: [429], configured: [429] });
    expect(await post(`${running.localUrl}/`, MO("01JFAKEMSG00000000000000M1"))).toBe(429);
    expect(await switchTo("503")).toEqual({ status: 200, body: { mode: "503", active: [503], configured: [429] } });
    expect(await post(`${running.localUrl}/`, MO("01JFAKEMSG00000000000000M2"))).toBe(503);
    expect((await switchTo("200")).status).toBe(200);
    expect(await post(`${running.localUrl}/`, MO("01JFAKEMSG00000000000000M3"))).toBe(200);
    expect((await switchTo("configured")).body).toEqual({ mode: "configured", active: [429], configured: [429] });
    expect(await post(`${running.localUrl}/`, MO("01JFAKEMSG00000000000000M4"))).toBe(429);
    expect(running.io.stderr.text()).toContain("inspector: answering the next callbacks with 503");
    expect(running.io.stderr.text()).toContain("inspector: back to the configured answers (--respond 429)");

    // Refused without changing anything: a bad mode, a cross-site page, a form post.
    expect((await switchTo("418")).status).toBe(400);
    expect((await switchTo("503", { origin: "http://evil.example" })).status).toBe(403);
    expect((await switchTo("503", { "sec-fetch-site": "cross-site" })).status).toBe(403);
    const form = await request(`${inspector}/api/respond`, { method: "POST", body: "mode=503", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(form.statusCode).toBe(415);
    await form.body.dump();
    expect(await post(`${running.localUrl}/`, MO("01JFAKEMSG00000000000000M5"))).toBe(429);
  });

  it("replay re-sends the recorded bytes and headers to the forward target", async () => {
    const target = await new TargetServer([{ kind: "status", status: 202 }]).start();
    cleanup.push(() => target.stop());
    running = await startListen({ forwardTo: `${target.url}/app`, hmacSecret: "replay-secret" });
    const sse = await new SseReader().open(`${running.inspectorUrl}/api/events`);
    cleanup.push(async () => sse.close());
    const body = MO("01JFAKEMSG00000000000000P1");
    const sig = signHmac({ secret: "replay-secret", body, nonce: "01JFAKENONCE0000000000000P", timestamp: Math.floor(Date.now() / 1000) });
    expect(await post(`${running.localUrl}/sinch`, body, sig)).toBe(202);
    await target.waitFor(1);

    const res = await request(`${running.inspectorUrl}/api/callbacks/1/replay`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ id: 1, replay: { ok: true, status: 202 } });
    await target.waitFor(2);
    const [first, again] = target.received;
    expect(again!.url).toBe("/app");
    expect(again!.body.equals(first!.body)).toBe(true);
    expect(again!.body.toString()).toBe(body);
    for (const h of Object.keys(sig)) expect(again!.headers[h]).toBe(first!.headers[h]);
    expect(again!.headers["content-type"]).toBe("application/json");
    await sse.next("replay", (d: { id: number }) => d.id === 1);
    const { body: d } = await getJson<{ replays: { ok: boolean; status: number }[] }>(`${running.inspectorUrl}/api/callbacks/1`);
    expect(d.replays).toEqual([expect.objectContaining({ ok: true, status: 202 })]);
  });

  it("a callback the listener refused is not replayed, as it was never forwarded", async () => {
    const target = await new TargetServer([{ kind: "status", status: 200 }]).start();
    cleanup.push(() => target.stop());
    running = await startListen({ forwardTo: target.url, basicAuth: { user: "u", password: "p" } });
    expect(await post(`${running.localUrl}/`, MO("01JFAKEMSG00000000000000U1"))).toBe(401);
    const res = await request(`${running.inspectorUrl}/api/callbacks/1/replay`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(res.statusCode).toBe(409);
    expect(await res.body.json()).toEqual({ error: "not_accepted", message: "this callback was answered 401 and never forwarded to your app, so it is not replayed" });
    expect(target.received).toHaveLength(0);
    expect((await getJson<{ accepted: boolean }>(`${running.inspectorUrl}/api/callbacks/1`)).body.accepted).toBe(false);
  });

  it("replay without --forward-to is refused with a clear reason", async () => {
    running = await startListen();
    expect(await post(`${running.localUrl}/`, MO("01JFAKEMSG00000000000000N1"))).toBe(200);
    const res = await request(`${running.inspectorUrl}/api/callbacks/1/replay`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect(res.statusCode).toBe(409);
    expect(await res.body.json()).toEqual({ error: "no_forward_target", message: "replay sends to your app: start listen with --forward-to URL" });
  });
});

describe("inspector: bounded history", () => {
  it("keeps the last --inspect-history callbacks and tells open pages which were dropped", async () => {
    running = await startListen({ inspectHistory: 3 });
    const sse = await new SseReader().open(`${running.inspectorUrl}/api/events`);
    cleanup.push(async () => sse.close());
    await sse.next("snapshot");
    for (let i = 1; i <= 5; i++) expect(await post(`${running.localUrl}/`, MO(`01JFAKEMSG0000000000000H${i}0`))).toBe(200);
    const s = await state();
    expect(s.callbacks.map((c) => c.id)).toEqual([3, 4, 5]);
    expect(s.info.history).toEqual({ max: 3, size: 3 });
    expect((await getJson(`${running.inspectorUrl}/api/callbacks/1`)).status).toBe(404);
    await sse.next("callback", (d: { id: number }) => d.id === 5);
    const evicted = sse.events.filter((e) => e.event === "evict").flatMap((e) => (e.data as { ids: number[] }).ids);
    expect(evicted).toEqual([1, 2]);
  });
});
