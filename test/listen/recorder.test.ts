import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRecorder, recordingFileName } from "../../src/listen/recorder.js";
import { RECORDING_FORMAT, RECORDING_VERSION, type Recording } from "../../src/listen/recording.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const rec = (i: number): Recording => ({
  _meta: { format: RECORDING_FORMAT, version: RECORDING_VERSION, tool: "test" },
  received_at: new Date(Date.UTC(2026, 10, 27, 12, 0, 0, i)).toISOString(),
  method: "POST",
  path: "/",
  headers: {},
  body: `{"type":"mo_text","n":${i}}`,
  redacted: false,
  verdict: { type: "mo_text", valid: true, errors: [], warnings: [], auth: [], status: 200, attempt: 1 },
});

describe("recorder", () => {
  it("names files by time, sequence and type, sortable", () => {
    expect(recordingFileName(rec(7), 42)).toBe("20261127T120000.007Z-000042-mo_text.json");
    expect(recordingFileName({ ...rec(1), verdict: { ...rec(1).verdict, type: "../../etc" } }, 1)).toBe("20261127T120000.001Z-000001-______etc.json");
  });

  it("queues beyond its bound without losing anything, and flush waits for every write", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-q-"));
    dirs.push(dir);
    const r = await createRecorder(dir, { concurrency: 2, maxQueued: 5 });
    const paths = [];
    for (let i = 0; i < 200; i++) {
      paths.push(await r.enqueue(rec(i), i + 1));
      expect(r.pending).toBeLessThanOrEqual(5 + 2);
    }
    await r.flush();
    expect(r.pending).toBe(0);
    expect(r.written).toBe(200);
    const files = (await readdir(dir)).toSorted();
    expect(files).toHaveLength(200);
    expect(files.some((f) => f.endsWith(".tmp"))).toBe(false);
    const last = JSON.parse(await readFile(paths[199]!, "utf8")) as Recording;
    expect(last.body).toBe('{"type":"mo_text","n":199}');
  });

  it("reports a write that fails instead of throwing into the request", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-e-"));
    dirs.push(dir);
    const errors: string[] = [];
    const r = await createRecorder(dir, { onError: (_e, path) => errors.push(path) });
    await rm(dir, { recursive: true });
    const path = await r.enqueue(rec(1), 1);
    await r.flush();
    expect(errors).toEqual([path]);
    expect(r.written).toBe(0);
  });

  it("refuses a directory it cannot create with a clear input error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-f-"));
    dirs.push(dir);
    const { writeFile } = await import("node:fs/promises");
    await writeFile(join(dir, "file"), "x");
    await expect(createRecorder(join(dir, "file", "sub"))).rejects.toMatchObject({ code: "SH_RECORD_DIR", exitCode: 2 });
  });
});
