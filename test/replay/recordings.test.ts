/**
 * replay reads what `listen --record` writes: record a callback with a real listener, replay the
 * directory to a second real listener that verifies HMAC signatures, and compare the bytes.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { listen, type ListenEvent, type ListenOptions, type Listener } from "../../src/listen/index.js";
import { decodeBody, type Recording } from "../../src/listen/recording.js";
import { signHmac } from "../../src/sign/hmac.js";
import { replay, tempDir, type TempDir } from "./helpers.js";

const base: ListenOptions = { host: "127.0.0.1", port: 0, maxBodyBytes: 1024 * 1024, forwardTimeoutMs: 2_000, redact: false, oauthTokenTtlSeconds: 3600, strictSchema: false };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).toReversed()) await c();
});

async function startListener(opts: Partial<ListenOptions>): Promise<{ listener: Listener; events: ListenEvent[] }> {
  const events: ListenEvent[] = [];
  const listener = await listen({ ...base, ...opts }, (e) => events.push(e));
  cleanup.push(() => listener.close(1_000));
  return { listener, events };
}

describe("replaying `listen --record` recordings", () => {
  it("records with one listener, replays the directory to another that verifies the new signatures; same bytes, same path", async () => {
    const dir: TempDir = await tempDir();
    cleanup.push(() => dir.remove());
    const { listener: recorder } = await startListener({ recordDir: dir.path, hmac: { secret: "first-secret", toleranceSeconds: 300, strict: false } });

    // A body only a byte-for-byte replay keeps: odd spacing, an escape, key order, no final newline.
    const raw = '{ "type" : "mo_text","id":"01JFAKE0000000000000000009","from":"+15550100001","to":"15550100099","body":"caf\\u00e9 👋","received_at":"2025-01-13T09:22:00Z"}';
    const signed = signHmac({ secret: "first-secret", body: Buffer.from(raw), nonce: "01JFAKENONCE00000000000001", timestamp: Math.floor(Date.now() / 1000) });
    const res = await request(`${recorder.url}/hooks/sms`, { method: "POST", body: raw, headers: { "content-type": "application/json", "x-trace": "abc", ...signed } });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    await recorder.close(1_000);

    const files = (await readdir(dir.path)).filter((f) => f.endsWith(".json"));
    expect(files).toHaveLength(1);
    const rec = JSON.parse(await readFile(join(dir.path, files[0]!), "utf8")) as Recording;
    expect(decodeBody(rec).toString()).toBe(raw);

    const { listener: app, events } = await startListener({ hmac: { secret: "second-secret", toleranceSeconds: 300, strict: false } });
    const r = await replay([dir.path, "--to", app.url, "--hmac-secret", "second-secret", "--expect", "2xx"]);
    expect(r.code).toBe(0);
    const callbacks = events.filter((e): e is Extract<ListenEvent, { event: "callback" }> => e.event === "callback");
    expect(callbacks).toHaveLength(1);
    const got = callbacks[0]!;
    expect(got.path).toBe("/hooks/sms");
    expect(got.status).toBe(200);
    expect(got.decision.auth).toEqual([expect.objectContaining({ scheme: "hmac", ok: true, warnings: [] })]);
    expect(got.headers["x-trace"]).toBe("abc");
    expect(got.decision.payload).toEqual(JSON.parse(raw));
    expect(r.out).toMatch(/✓ .*\(\/hooks\/sms\) mo_text 200/);
  });

  it("the receiving listener refuses (401) a replay signed with the wrong secret, and --expect 2xx turns that into exit 1", async () => {
    const { listener: app } = await startListener({ hmac: { secret: "right", toleranceSeconds: 300, strict: false } });
    const r = await replay(["fixtures/mo_text.json", "--to", app.url, "--hmac-secret", "wrong", "--expect", "2xx"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("401");
    expect(r.out).toContain("→ dropped for good");
  });
});
