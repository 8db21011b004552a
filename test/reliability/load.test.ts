/**
 * Nothing lost under load (issue #7): 20 000 callbacks over 100 keep-alive connections into a listener
 * that records them. Every one must be answered 2xx and recorded exactly once, byte for byte.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pool } from "undici";
import { describe, expect, it } from "vitest";
import { listen } from "../../src/listen/index.js";
import { decodeBody, type Recording } from "../../src/listen/recording.js";

const TOTAL = 20_000;
const CONNECTIONS = 100;

function body(i: number): string {
  // Unique per request, with multi-byte text and escapes so byte identity is a real check.
  return `{"type":"mo_text","id":"01JFAKELOAD${String(i).padStart(15, "0")}","from":"+15550100001","to":"+15550100002","body":"load ${i} 👋 caf\\u00e9 \\/","received_at":"2026-11-27T12:00:00.000Z"}`;
}

describe("load", () => {
  it(`answers and records ${TOTAL} callbacks at ${CONNECTIONS} connections, each byte-identical`, { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-load-"));
    let answered2xx = 0;
    const other: number[] = [];
    try {
      let callbackEvents = 0;
      const listener = await listen(
        { host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20, forwardTimeoutMs: 5_000, redact: false, oauthTokenTtlSeconds: 60, strictSchema: false, recordDir: dir },
        (e) => {
          if (e.event === "callback") callbackEvents++;
        },
      );
      const pool = new Pool(listener.url, { connections: CONNECTIONS });
      let next = 0;
      const worker = async (): Promise<void> => {
        for (;;) {
          const i = next++;
          if (i >= TOTAL) return;
          const res = await pool.request({ path: "/sinch", method: "POST", body: body(i), headers: { "content-type": "application/json" } });
          await res.body.dump();
          if (res.statusCode >= 200 && res.statusCode < 300) answered2xx++;
          else other.push(res.statusCode);
        }
      };
      await Promise.all(Array.from({ length: CONNECTIONS }, worker));
      await pool.close();
      await listener.close();

      expect(other).toEqual([]);
      expect(answered2xx).toBe(TOTAL);
      expect(callbackEvents).toBe(TOTAL);
      const files = (await readdir(dir)).filter((f) => f.endsWith(".json"));
      expect(files).toHaveLength(TOTAL);
      expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      const seen = new Set<string>();
      for (const f of files) {
        const rec = JSON.parse(await readFile(join(dir, f), "utf8")) as Recording;
        const text = decodeBody(rec).toString("utf8");
        const i = Number(/load (\d+) /.exec(text)?.[1]);
        expect(text).toBe(body(i));
        seen.add(text);
      }
      expect(seen.size).toBe(TOTAL);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
