// npm run bench:replay — requests/s of `sinch-hooks replay --concurrency 64` against a minimal local
// node:http server, next to autocannon (64 connections, same server, same body) in the same run,
// printed as a ratio (target ≥ 0.8). Loopback only, bounded by a request count.
//
//   node bench/replay.js [--quick] [--bin path/to/sinch-hooks.js]
import { spawn } from "node:child_process";
import { mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { emitRows, startChild, stopChild } from "./lib.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const argBin = process.argv.indexOf("--bin");
const bin = argBin === -1 ? join(root, "bin", "sinch-hooks.js") : process.argv[argBin + 1];
const quick = process.argv.includes("--quick");
const N = quick ? 20_000 : 100_000;
const CONNECTIONS = 64;
const ROUNDS = 3;
const fmt = (n, d = 0) => n.toFixed(d);
const best = (runs, key) => runs.reduce((a, b) => (b[key] > a[key] ? b : a));

// The same bytes for both clients: the mo_text sample as compact JSON, as replay sends it.
const body = JSON.stringify(JSON.parse(await readFile(join(root, "fixtures", "mo_text.json"), "utf8")));
const work = await mkdtemp(join(tmpdir(), "sinch-hooks-bench-replay-"));
const fixture = join(work, "mo_text.json");
await writeFile(fixture, body);

/** autocannon for exactly `amount` requests; requests/s = amount / elapsed. */
function cannon(url, amount) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    autocannon(
      { url, connections: CONNECTIONS, pipelining: 1, amount, method: "POST", body, headers: { "content-type": "application/json" } },
      (err, result) => {
        if (err) return reject(err);
        const seconds = (performance.now() - started) / 1000;
        resolve({ rps: result.requests.total / seconds, total: result.requests.total, non2xx: result.non2xx, errors: result.errors + result.timeouts });
      },
    );
  });
}

/**
 * `sinch-hooks replay` as a user runs it (default human output, one line per request), with stdout
 * going to a file, as with `> out.txt`: a pipe would make this process spend CPU reading 100 000 lines
 * on the same cores the two clients compete for, which autocannon (in-process) does not pay. Two rates:
 * the one replay reports (first send to last answer) and the wall clock of the whole process.
 */
async function replayRun(url, repeat) {
  const outFile = join(work, "replay.out");
  const out = await open(outFile, "w");
  const started = performance.now();
  const { code, err } = await new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, "replay", fixture, "--to", url, "--concurrency", String(CONNECTIONS), "--repeat", String(repeat), "--expect", "2xx"], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", out.fd, "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d.toString()));
    child.on("exit", (exitCode) => resolve({ code: exitCode, err: stderr }));
  });
  const wall = (performance.now() - started) / 1000;
  await out.close();
  const text = await readFile(outFile, "utf8");
  const tail = text.slice(-4096);
  const m = /(\d+) requests? to \S+ in ([\d.]+) s/.exec(tail);
  if (code !== 0 || !m) throw new Error(`replay exited ${code}:\n${err}\n${tail}`);
  const lines = text.split("\n").length - 1;
  return { rps: Number(m[1]) / Number(m[2]), wallRps: repeat / wall, seconds: Number(m[2]), wall, lines };
}

console.log(`sinch-hooks replay benchmark — ${N} requests per run, ${CONNECTIONS} connections, best of ${ROUNDS} rounds, body ${body.length} bytes\n`);
const server = await startChild([join(root, "bench", "bare-server.js")], /bare (http:\/\/\S+)/);
try {
  // Warm-up: the server's JIT, and the OS's loopback path, for both clients.
  await cannon(server.url, 5_000);
  await replayRun(server.url, 5_000);

  const ac = [];
  const rp = [];
  for (let round = 0; round < ROUNDS; round++) {
    ac.push(await cannon(server.url, N));
    rp.push(await replayRun(server.url, N));
  }
  const a = best(ac, "rps");
  const r = best(rp, "rps");
  const w = best(rp, "wallRps");
  const ratio = r.rps / a.rps;
  console.log("Requests per second (loopback, bare node:http server answering 200)");
  console.log(`  autocannon                   ${fmt(a.rps)}/s   (${a.total} requests, non-2xx ${a.non2xx}, errors ${a.errors})`);
  console.log(`  replay, as it reports        ${fmt(r.rps)}/s   (${N} requests in ${fmt(r.seconds, 2)} s, ${r.lines} lines of output to a file)`);
  console.log(`  replay, whole process        ${fmt(w.wallRps)}/s   (${fmt(w.wall, 2)} s wall clock, start-up and loading included)`);
  console.log(`  ratio replay / autocannon    ${fmt(ratio, 2)}  (target ≥ 0.80) ${ratio >= 0.8 ? "✓" : "✗"}`);
  console.log(`  ratio, whole process         ${fmt(w.wallRps / a.rps, 2)}`);
  emitRows([
    { name: `replay --concurrency ${CONNECTIONS}`, value: r.rps, unit: "requests/s", baseline: a.rps, baselineName: "autocannon, same connections", ratio, target: "ratio ≥ 0.80", pass: ratio >= 0.8 },
    { name: `replay --concurrency ${CONNECTIONS}, whole process`, value: w.wallRps, unit: "requests/s", baseline: a.rps, baselineName: "autocannon, same connections", ratio: w.wallRps / a.rps },
  ]);
  console.log(`\n  all rounds: autocannon ${ac.map((x) => fmt(x.rps)).join(", ")}/s · replay ${rp.map((x) => fmt(x.rps)).join(", ")}/s`);
} finally {
  await stopChild(server.child);
  await rm(work, { recursive: true, force: true });
}
