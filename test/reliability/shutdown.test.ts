/**
 * SIGINT under load (issue #7): the real CLI process, callbacks in flight to a slow app, Ctrl-C.
 * Every accepted request is answered, every answered callback is recorded, no file is truncated.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import { describe, expect, it } from "vitest";
import { TargetServer } from "../helpers/target-server.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("shutdown under load", () => {
  // The app answers after 1.5 s: longer than the CLI's 1 s exit safety net, so only a shutdown that
  // really waits for in-flight callbacks answers them all.
  it("SIGINT with callbacks in flight answers all of them and leaves only whole recordings", { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-sigint-"));
    const app = await new TargetServer([{ kind: "delay", ms: 1_500, status: 200 }]).start();
    const child = spawn(process.execPath, [join(root, "bin", "sinch-hooks.js"), "listen", "--port", "0", "--json", "--tunnel", "none", "--record", dir, "--forward-to", app.url], {
      cwd: root,
      env: { ...process.env, NO_COLOR: "1", NGROK_AUTHTOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /"local_url":"([^"]+)"/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on("exit", (c) => reject(new Error(`listener exited early (${c})`)));
      });
      const pool = new Pool(url, { connections: 40 });
      const N = 120;
      const results = Array.from({ length: N }, (_, i) =>
        pool
          .request({ path: "/", method: "POST", body: `{"type":"mo_text","id":"01JFAKESIGINT${String(i).padStart(13, "0")}","from":"+15550100001","to":"+15550100002","body":"n${i}","received_at":"2026-11-27T12:00:00Z"}` })
          .then(async (r) => {
            await r.body.dump();
            return r.statusCode;
          })
          .catch(() => 0),
      );
      await app.waitFor(20); // callbacks are now in flight inside the listener
      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      child.kill("SIGINT");
      const statuses = await Promise.all(results);
      expect(await exited).toBe(0);
      await pool.close().catch(() => undefined);

      const answered = statuses.filter((s) => s === 200).length;
      // Every request the listener accepted before it stopped was answered (0 = refused connection after close).
      expect(statuses.every((s) => s === 200 || s === 0)).toBe(true);
      expect(answered).toBeGreaterThanOrEqual(20);
      const files = (await readdir(dir)).filter((f) => f.endsWith(".json"));
      expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      expect(files).toHaveLength(answered);
      for (const f of files) JSON.parse(await readFile(join(dir, f), "utf8")); // throws on a truncated file
      const callbacks = out.split("\n").filter((l) => l.includes('"event":"callback"'));
      expect(callbacks).toHaveLength(answered);
    } finally {
      child.kill("SIGKILL");
      await app.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
