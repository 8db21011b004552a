// npm run bench — runs every benchmark script, plus CLI start-up, and prints one table of
// figure, baseline measured in the same run, ratio and target. Loopback only; each script is bounded.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { percentile } from "./lib.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const quick = process.argv.includes("--quick");
const scripts = ["listen.js", "replay.js", "simulate.js"];

function runScript(name) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "bench", name), ...(quick ? ["--quick"] : [])], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d.toString();
      process.stdout.write(d.toString().replace(/^BENCH_ROWS .*$/m, ""));
    });
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith("BENCH_ROWS "));
      resolve({ name, code, rows: line ? JSON.parse(line.slice("BENCH_ROWS ".length)) : [] });
    });
  });
}

/** Median wall time of `node args…` over n runs, in ms. */
function medianRun(args, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: "ignore" });
    if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}`);
    times.push(performance.now() - t0);
  }
  return percentile(times.toSorted((a, b) => a - b), 50);
}

const rows = [];
for (const s of scripts) {
  console.log(`\n=== bench/${s} ===`);
  const r = await runScript(s);
  if (r.code !== 0) rows.push({ name: `bench/${s}`, value: NaN, unit: "", target: "script exited 0", pass: false });
  rows.push(...r.rows);
}

console.log("\n=== CLI start-up ===");
const n = quick ? 5 : 15;
const baseline = medianRun(["-e", "0"], n);
const version = medianRun([join(root, "bin", "sinch-hooks.js"), "--version"], n);
const help = medianRun([join(root, "bin", "sinch-hooks.js"), "listen", "--help"], n);
rows.push({ name: "sinch-hooks --version", value: version, unit: "ms", baseline, baselineName: "node -e 0", ratio: version / baseline, target: "lazy imports keep it close to node itself" });
rows.push({ name: "sinch-hooks listen --help", value: help, unit: "ms", baseline, baselineName: "node -e 0", ratio: help / baseline });

const fmt = (v) => (typeof v !== "number" || Number.isNaN(v) ? "—" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const table = [["figure", "value", "baseline", "ratio", "target", ""]];
for (const r of rows) {
  table.push([
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline === undefined ? "—" : `${fmt(r.baseline)} ${r.unit} (${r.baselineName})`,
    r.ratio === undefined ? "—" : fmt(r.ratio),
    r.target ?? "",
    r.pass === undefined ? "" : r.pass ? "✓" : "✗",
  ]);
}
const widths = table[0].map((_, i) => Math.max(...table.map((row) => [...row[i]].length)));
console.log(`\n=== summary (${new Date().toISOString()}, node ${process.version}, ${(await import("node:os")).cpus().length} CPUs) ===`);
for (const [i, row] of table.entries()) {
  console.log(row.map((c, j) => c + " ".repeat(widths[j] - [...c].length)).join("  "));
  if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
}
