// npm run bench:listen — throughput, forward latency and memory of `sinch-hooks listen`,
// each as a ratio or difference against a baseline measured in the same run. Loopback only, bounded.
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { emitRows, load, percentile, rssMb, startChild, stopChild } from "./lib.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = join(root, "bin", "sinch-hooks.js");
const fixturesDir = join(root, "fixtures");
const bodies = [];
for (const f of (await readdir(fixturesDir)).filter((name) => name.endsWith(".json")).toSorted()) {
  bodies.push(Buffer.from(JSON.stringify(JSON.parse(await readFile(join(fixturesDir, f), "utf8")))));
}
const quick = process.argv.includes("--quick");
const N = quick ? 5_000 : 20_000;
const CONNECTIONS = 50;
const listenUrl = /Local\s+(http:\/\/127\.0\.0\.1:\d+)/;
const fmt = (n, d = 2) => n.toFixed(d);

console.log(`sinch-hooks listen benchmark — ${N} callbacks per run, ${CONNECTIONS} keep-alive connections, ${bodies.length} fixture bodies\n`);

// 1. Throughput: bare server vs listener (validate + render + record to files, answer 200).
const bare = await startChild([join(root, "bench", "bare-server.js")], /bare (http:\/\/\S+)/);
await load(bare.url, { total: 2_000, connections: CONNECTIONS, bodies }); // warm-up
const bareRun = await load(bare.url, { total: N, connections: CONNECTIONS, bodies });
await stopChild(bare.child);

// The same without --record: what validation, rendering and the inspector cost on their own.
const plain = await startChild([bin, "listen", "--port", "0", "--tunnel", "none"], listenUrl, { FORCE_COLOR: "1" });
plain.child.stdout.resume();
await load(plain.url, { total: 2_000, connections: CONNECTIONS, bodies });
const plainRun = await load(plain.url, { total: N, connections: CONNECTIONS, bodies });
await stopChild(plain.child);

// The disk's own ceiling for --record: one small file written and renamed per callback, as the recorder
// does, with the same number of writes in flight, and nothing else.
const diskDir = await mkdtemp(join(tmpdir(), "sinch-hooks-disk-"));
const diskN = Math.min(N, 10_000);
const diskStart = performance.now();
let nextFile = 0;
const text = JSON.stringify({ body: bodies[0].toString(), headers: {}, verdict: {} }, null, 2);
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (;;) {
      const i = nextFile++;
      if (i >= diskN) return;
      await writeFile(join(diskDir, `.${i}.tmp`), text);
      await rename(join(diskDir, `.${i}.tmp`), join(diskDir, `${i}.json`));
    }
  }),
);
const diskRate = diskN / ((performance.now() - diskStart) / 1000);
await rm(diskDir, { recursive: true, force: true });

const recDir = await mkdtemp(join(tmpdir(), "sinch-hooks-bench-"));
const lis = await startChild([bin, "listen", "--port", "0", "--tunnel", "none", "--record", recDir], listenUrl, { FORCE_COLOR: "1" });
lis.child.stdout.resume();
await load(lis.url, { total: 2_000, connections: CONNECTIONS, bodies });
const lisRun = await load(lis.url, { total: N, connections: CONNECTIONS, bodies });
await stopChild(lis.child);
const recorded = (await readdir(recDir)).filter((f) => f.endsWith(".json")).length;
await rm(recDir, { recursive: true, force: true });

const ratio = lisRun.rps / bareRun.rps;
console.log("Throughput (callbacks/s)");
console.log(`  bare node:http     ${fmt(bareRun.rps, 0)}/s   statuses ${JSON.stringify(bareRun.statuses)}`);
console.log(`  listen             ${fmt(plainRun.rps, 0)}/s   statuses ${JSON.stringify(plainRun.statuses)}   ratio ${fmt(plainRun.rps / bareRun.rps)}`);
console.log(`  disk: file create + rename, 8 at a time   ${fmt(diskRate, 0)}/s   (the ceiling for one recording per callback)`);
console.log(`  listen --record    ${fmt(lisRun.rps, 0)}/s   statuses ${JSON.stringify(lisRun.statuses)}   recorded ${recorded}`);
console.log(`  ratio              ${fmt(ratio)}  (target ≥ 0.70) ${ratio >= 0.7 ? "✓" : "✗"}\n`);

// 2. Forward latency: client → app directly vs client → listener → app, one request at a time.
const app = await startChild([join(root, "bench", "bare-server.js")], /bare (http:\/\/\S+)/);
const M = quick ? 2_000 : 5_000;
await load(app.url, { total: 500, connections: 1, bodies });
const direct = await load(app.url, { total: M, connections: 1, bodies });
const fwd = await startChild([bin, "listen", "--port", "0", "--tunnel", "none", "--forward-to", app.url], listenUrl);
fwd.child.stdout.resume();
await load(fwd.url, { total: 500, connections: 1, bodies });
const via = await load(fwd.url, { total: M, connections: 1, bodies });
await stopChild(fwd.child);
await stopChild(app.child);
const p = (r, q) => percentile(r.latencies, q);
console.log(`Forward latency (${M} sequential requests)`);
console.log(`  direct to app      p50 ${fmt(p(direct, 50))} ms   p99 ${fmt(p(direct, 99))} ms`);
console.log(`  via --forward-to   p50 ${fmt(p(via, 50))} ms   p99 ${fmt(p(via, 99))} ms`);
const added50 = p(via, 50) - p(direct, 50);
console.log(`  added              p50 ${fmt(added50)} ms (target ≤ 1 ms) ${added50 <= 1 ? "✓" : "✗"}   p99 ${fmt(p(via, 99) - p(direct, 99))} ms\n`);

// 3. Memory: RSS of the listener after 100 000 callbacks (validate + render; duplicates tracked, bounded).
const K = quick ? 20_000 : 100_000;
const mem = await startChild([bin, "listen", "--port", "0", "--tunnel", "none"], listenUrl, { FORCE_COLOR: "1" });
mem.child.stdout.resume();
const rssStart = rssMb(mem.child.pid);
// Every callback unique, so the duplicate tracker fills up to its bound instead of seeing 7 bodies.
const unique = Array.from({ length: K }, (_, i) =>
  Buffer.from(JSON.stringify({ type: "mo_text", id: `01JFAKEBENCH${String(i).padStart(14, "0")}`, from: "+15550100001", to: "+15550100002", body: `bench message ${i} 👋`, received_at: "2026-11-27T12:00:00.000Z" })),
);
const memRun = await load(mem.url, { total: K, connections: CONNECTIONS, bodies: unique });
const rssEnd = rssMb(mem.child.pid);
await stopChild(mem.child);
console.log(`Memory after ${K} callbacks`);
console.log(`  RSS ${fmt(rssStart, 1)} MB at start → ${fmt(rssEnd, 1)} MB   (target < 150 MB) ${rssEnd < 150 ? "✓" : "✗"}   ${fmt(memRun.rps, 0)}/s`);

emitRows([
  { name: "listen ingest (validate + render + inspector)", value: plainRun.rps, unit: "callbacks/s", baseline: bareRun.rps, baselineName: "bare node:http", ratio: plainRun.rps / bareRun.rps, target: "ratio ≥ 0.70", pass: plainRun.rps / bareRun.rps >= 0.7 },
  { name: "listen --record, against the disk's ceiling", value: lisRun.rps, unit: "callbacks/s", baseline: diskRate, baselineName: "file create + rename alone", ratio: lisRun.rps / diskRate },
  { name: "listen ingest (validate + render + record)", value: lisRun.rps, unit: "callbacks/s", baseline: bareRun.rps, baselineName: "bare node:http", ratio: ratio, target: "ratio ≥ 0.70", pass: ratio >= 0.7 },
  { name: "forward overhead p50", value: p(via, 50), unit: "ms", baseline: p(direct, 50), baselineName: "direct to app", ratio: p(via, 50) / p(direct, 50), target: "added ≤ 1 ms", pass: added50 <= 1 },
  { name: "forward overhead p99", value: p(via, 99), unit: "ms", baseline: p(direct, 99), baselineName: "direct to app", ratio: p(via, 99) / p(direct, 99) },
  { name: `listener RSS after ${K} callbacks`, value: rssEnd, unit: "MB", baseline: rssStart, baselineName: "RSS at start", ratio: rssEnd / rssStart, target: "< 150 MB", pass: rssEnd < 150 },
]);
