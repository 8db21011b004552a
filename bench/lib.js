// Shared helpers for the benchmark scripts: child-process servers, a bounded keep-alive load loop, percentiles.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Pool } from "undici";

// Colour codes would sit between a label and its URL in the banner.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Starts `node args…` and resolves with the child and the first URL printed that matches `pattern`. */
export function startChild(args, pattern, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, NGROK_AUTHTOKEN: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let done = false;
    const onData = (d) => {
      if (done) return;
      out += d.toString();
      const m = out.replace(ANSI, "").match(pattern);
      if (m) {
        done = true;
        resolve({ child, url: m[1] });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      if (!done) reject(new Error(`child exited (${code}) before it was ready:\n${out}`));
    });
  });
}

export async function stopChild(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.on("exit", r));
  child.kill("SIGINT");
  const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(t);
}

export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/**
 * Sends `total` POSTs of `bodies` (cycled) over `connections` keep-alive connections, `connections`
 * in flight at a time. Returns requests/second, the latencies (ms, sorted) and the status counts.
 */
export async function load(url, { total, connections, bodies, path = "/", headers = {} }) {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections, pipelining: 1, keepAliveTimeout: 10_000 });
  const latencies = Array.from({ length: total }, () => 0);
  const statuses = new Map();
  let next = 0;
  const started = performance.now();
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const t0 = performance.now();
      const res = await pool.request({ path: u.pathname === "/" ? path : u.pathname, method: "POST", body: bodies[i % bodies.length], headers: { "content-type": "application/json", ...headers } });
      await res.body.dump();
      latencies[i] = performance.now() - t0;
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    }
  }
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  const sorted = latencies.toSorted((a, b) => a - b);
  return { rps: total / seconds, seconds, latencies: sorted, statuses: Object.fromEntries(statuses) };
}

/**
 * Machine-readable rows for bench/run.js: one line `BENCH_ROWS [...]` at the end of a bench script.
 * A row: { name, value, unit, baseline?, baselineName?, ratio?, target?, pass? }.
 */
export function emitRows(rows) {
  console.log(`BENCH_ROWS ${JSON.stringify(rows)}`);
}
