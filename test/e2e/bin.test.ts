/**
 * The built CLI as a user runs it: `node bin/sinch-hooks.js …` against dist/ (npm test builds first).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = join(root, "bin", "sinch-hooks.js");
const env = { ...process.env, NO_COLOR: "1", NGROK_AUTHTOKEN: "", SINCH_HOOKS_HMAC_SECRET: "" };

function run(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, env, input, encoding: "utf8", timeout: 15_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SMS_VECTOR_BODY =
  '{"at":"2025-01-13T09:22:40.914Z","batch_id":"01JHFFHQ0P99JPPNQPJDV7JTBP","client_reference":"a client reference","code":0,"operator_status_at":"2025-01-13T09:22:00Z","recipient":"33662162466","status":"Delivered","type":"recipient_delivery_report_sms"}';

describe("bin", () => {
  it("--version and --help", () => {
    const v = run(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = run(["--help"]);
    expect(h.code).toBe(0);
    for (const cmd of ["listen", "validate", "sign", "fixtures"]) expect(h.stdout).toContain(cmd);
    for (const cmd of ["listen", "validate", "sign", "fixtures"]) {
      const sub = run([cmd, "--help"]);
      expect(sub.code).toBe(0);
      expect(sub.stdout).toContain("Examples:");
    }
  });

  it("an unknown flag is a one-line usage error with a hint and exit 2, no stack trace", () => {
    const r = run(["validate", "--frobnicate", "x.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^✗ unknown option '--frobnicate'/);
    expect(r.stderr).toContain("sinch-hooks validate --help");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a bad flag value names the flag", () => {
    const r = run(["listen", "--port", "http"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--port must be a port number");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("validate: bundled fixtures pass (0), invalid ones fail (1), a missing file is exit 2", async () => {
    const fixtures = (await readdir(join(root, "fixtures"))).filter((f) => f.endsWith(".json")).map((f) => join("fixtures", f));
    const invalid = (await readdir(join(root, "fixtures", "invalid"))).filter((f) => f.endsWith(".json")).map((f) => join("fixtures", "invalid", f));
    expect(fixtures.length).toBeGreaterThanOrEqual(7);
    expect(run(["validate", ...fixtures]).code).toBe(0);
    const bad = run(["validate", ...invalid]);
    expect(bad.code).toBe(1);
    const missing = run(["validate", "no/such/file.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^✗ file not found: no\/such\/file\.json/);
    const notJson = run(["validate", "-"], "{oops");
    expect(notJson.code).toBe(1);
    expect(notJson.stdout + notJson.stderr).toMatch(/line 1/);
  });

  it("sign: the official SMS vector gives the official signature", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-bin-"));
    try {
      await writeFile(join(dir, "body.json"), SMS_VECTOR_BODY);
      const r = run(["sign", join(dir, "body.json"), "--secret", "SMSWebhooksSecret", "--nonce", "01JHFFHWYY7HSS4FWTMDTQEK8V", "--timestamp", "1736760161"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("x-sinch-webhook-signature: ZoHei66PPN/kZjw7hFVfGhJOnml3iGNCMWoyQVcE5o0=");
      expect(r.stdout).not.toContain("SMSWebhooksSecret");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fixtures: a sample pipes into validate", () => {
    const sample = run(["fixtures", "mo_text"]);
    expect(sample.code).toBe(0);
    const v = run(["validate", "-"], sample.stdout);
    expect(v.code).toBe(0);
  });

  it("listen starts local-only, answers a callback, and exits 0 on SIGINT", async () => {
    const child = spawn(process.execPath, [bin, "listen", "--port", "0", "--json"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const ready = await new Promise<{ local_url: string }>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const line = out.split("\n").find((l) => l.includes('"event":"ready"'));
        if (line) resolve(JSON.parse(line) as { local_url: string });
      });
      child.on("exit", () => reject(new Error(`exited early: ${err}`)));
    });
    const res = await request(ready.local_url, { method: "POST", body: '{"type":"mo_text"}' });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    const exit = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    child.kill("SIGINT");
    expect(await exit).toBe(0);
    expect(err).toMatch(/local only|NGROK_AUTHTOKEN/);
    expect(out).toContain('"event":"callback"');
  });
});

describe("library", () => {
  it('import { validateCallback, signHmac, verifyHmac, schemas } from "sinch-hooks" works and loads neither ngrok nor undici', () => {
    const script = `
      import { createRequire } from "node:module";
      const lib = await import("sinch-hooks");
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((k) => /[\\\\/](undici|@ngrok|ajv)[\\\\/]/.test(k)).map((k) => k.match(/(undici|@ngrok|ajv)/)[1]);
      const before = [...new Set(loaded())];
      const v = lib.validateCallback({ type: "mo_text" });
      const headers = lib.signHmac({ secret: "s", body: "{}", nonce: "n", timestamp: 1 });
      const check = lib.verifyHmac({ secret: "s", body: "{}", headers, nowMs: 1000, toleranceSeconds: 0 });
      console.log(JSON.stringify({ before, after: [...new Set(loaded())], ok: v.ok, errors: v.errors.length, signed: check.ok, types: Object.keys(lib.schemas).length }));
    `;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8", timeout: 15_000 });
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as { before: string[]; after: string[]; ok: boolean; errors: number; signed: boolean; types: number };
    // ajv is imported with the validator (its schemas compile on first use); the network stack is not.
    for (const list of [out.before, out.after]) {
      expect(list).not.toContain("undici");
      expect(list).not.toContain("@ngrok");
    }
    expect(out.after).toContain("ajv");
    expect(out).toMatchObject({ ok: false, signed: true, types: 7 });
    expect(out.errors).toBeGreaterThan(0);
  });
});
