import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError, UsageError } from "../../src/errors.js";
import { RECORDING_FORMAT, RECORDING_VERSION } from "../../src/listen/recording.js";
import { isRecording, loadCallbacks } from "../../src/send/inputs.js";
import { parseSetFlag } from "../../src/send/overrides.js";
import { fakeIo } from "../helpers/fake-io.js";
import { tempDir, type TempDir } from "../replay/helpers.js";

let dir: TempDir;
let mo: Record<string, unknown>;
let moText: string;
beforeAll(async () => {
  dir = await tempDir();
  moText = await readFile("fixtures/mo_text.json", "utf8");
  mo = JSON.parse(moText) as Record<string, unknown>;
});
afterAll(() => dir.remove());

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const load = (specs: string[], opts: Partial<Parameters<typeof loadCallbacks>[2]> = {}, stdin?: string) =>
  loadCallbacks(specs, fakeIo({ stdin, now: () => NOW }), { allowInvalid: false, ...opts });

function envelope(extra: Record<string, unknown>): string {
  return JSON.stringify({
    _meta: { format: RECORDING_FORMAT, version: RECORDING_VERSION, tool: "t" },
    received_at: "2026-11-27T13:21:44.123Z",
    method: "POST",
    path: "/sinch",
    headers: { "content-type": "application/json", "x-sinch-webhook-signature": "sig", authorization: "Basic x", "content-length": "9", "user-agent": "Sinch" },
    redacted: false,
    verdict: { type: "mo_text", valid: true, errors: [], warnings: [], auth: [], status: 200, attempt: 1 },
    ...extra,
  });
}

describe("loadCallbacks formats", () => {
  it("a bare payload: compact JSON bytes, its type and a passing validation", async () => {
    const [c] = await load([await dir.file("bare.json", moText)]);
    expect(c!.body.toString()).toBe(JSON.stringify(mo));
    expect(c!.type).toBe("mo_text");
    expect(c!.validation?.ok).toBe(true);
    expect(c!.source).toBe("payload");
    expect(c!.headers).toEqual({});
  });

  it("an array and NDJSON, labelled by index and line", async () => {
    const arr = await dir.file("a.json", JSON.stringify([mo, mo]));
    const nd = await dir.file("n.ndjson", `${JSON.stringify(mo)}\n\n${JSON.stringify(mo)}\n`);
    expect((await load([arr, nd])).map((c) => c.name)).toEqual([`${arr}[0]`, `${arr}[1]`, `${nd}:1`, `${nd}:3`]);
  });

  it("stdin with -", async () => {
    const [c] = await load(["-"], {}, JSON.stringify(mo));
    expect(c!.name).toBe("stdin");
  });

  it("a recording: the raw body byte-for-byte, its path, and headers without signatures or credentials", async () => {
    const raw = '{"type":"mo_text" , "id":"01JFAKE0000000000000000001","from":"+15550100001","to":"15550100099","body":"\\u00e9","received_at":"2025-01-13T09:22:00Z"}';
    const [c] = await load([await dir.file("rec.json", envelope({ body: raw }))]);
    expect(c!.body.toString("utf8")).toBe(raw);
    expect(c!.path).toBe("/sinch");
    expect(c!.source).toBe("recording");
    expect(c!.headers).toEqual({ "content-type": "application/json", "user-agent": "Sinch" });
    expect(c!.name).toContain("(/sinch)");
  });

  it("a recording with body_base64 keeps bytes that are not UTF-8, with no payload", async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00]);
    const [c] = await load([await dir.file("rec64.json", envelope({ body_base64: bytes.toString("base64") }))]);
    expect(c!.body.equals(bytes)).toBe(true);
    expect(c!.payload).toBeUndefined();
    expect(c!.validation).toBeUndefined();
  });

  it("isRecording needs the format marker", () => {
    expect(isRecording({ _meta: { format: RECORDING_FORMAT } })).toBe(true);
    expect(isRecording({ _meta: { format: "other" } })).toBe(false);
    expect(isRecording(mo)).toBe(false);
    expect(isRecording([mo])).toBe(false);
  });

  it("a directory: every *.json and *.ndjson inside, in name order", async () => {
    const sub = await tempDir();
    try {
      await sub.file("b.json", JSON.stringify({ ...mo, body: "b" }));
      await sub.file("a.ndjson", JSON.stringify({ ...mo, body: "a" }));
      await sub.file("c.txt", "x");
      const names = (await load([sub.path])).map((c) => (c.payload as { body: string }).body);
      expect(names).toEqual(["a", "b"]);
    } finally {
      await sub.remove();
    }
  });
});

describe("loadCallbacks refusals", () => {
  it("an invalid payload is refused with its errors, unless allowInvalid", async () => {
    const bad = await dir.file("bad.json", JSON.stringify({ ...mo, from: 5 }));
    await expect(load([bad])).rejects.toThrow(/1 payload is invalid, nothing was sent/);
    const [c] = await load([bad], { allowInvalid: true });
    expect(c!.validation?.ok).toBe(false);
  });

  it("invalid JSON names file:line:column", async () => {
    const broken = await dir.file("broken.json", '{\n  "type": ,\n}');
    await expect(load([broken])).rejects.toThrow(new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:11`));
  });

  it("a missing file, an empty directory and no payloads are InputErrors", async () => {
    await expect(load([`${dir.path}/missing.json`])).rejects.toBeInstanceOf(InputError);
    const empty = await tempDir();
    try {
      await expect(load([empty.path])).rejects.toThrow(/holds no \*\.json or \*\.ndjson files/);
    } finally {
      await empty.remove();
    }
  });
});

describe("loadCallbacks rewrites", () => {
  it("--set overrides fields, then validates the result", async () => {
    const file = await dir.file("set.json", moText);
    const overrides = [parseSetFlag("body=changed"), parseSetFlag("operator_id=42")];
    // operator_id must be a string: the overridden payload is what gets validated.
    await expect(load([file], { overrides })).rejects.toThrow(/operator_id must be a string/);
    const [c] = await load([file], { overrides, allowInvalid: true });
    expect(c!.payload).toMatchObject({ body: "changed", operator_id: 42 });
    expect(c!.body.toString()).toBe(JSON.stringify(c!.payload));
    expect(c!.validation?.ok).toBe(false);
  });

  it("--fresh: new id and timestamps near now", async () => {
    const [c] = await load([await dir.file("fresh.json", moText)], { fresh: true });
    const p = c!.payload as { id: string; received_at: string };
    expect(p.id).not.toBe(mo.id);
    expect(Math.abs(Date.parse(p.received_at) - NOW)).toBeLessThan(60_000);
  });

  it("--set on a recording re-serialises its body", async () => {
    const [c] = await load([await dir.file("rec-set.json", envelope({ body: JSON.stringify(mo) }))], { overrides: [parseSetFlag("body=x")] });
    expect(JSON.parse(c!.body.toString())).toMatchObject({ body: "x" });
  });

  it("--set on a payload that is not an object is a usage error", async () => {
    await expect(load([await dir.file("num.ndjson", "1\n2\n")], { overrides: [parseSetFlag("a=1")], allowInvalid: true })).rejects.toBeInstanceOf(UsageError);
  });
});
