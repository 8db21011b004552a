import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { CALLBACK_TYPES } from "../../src/schemas/types.js";
import { runValidate } from "../../src/validate/command.js";
import { fakeIo } from "../helpers/fake-io.js";

const fixturePath = (name: string) => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "sinch-hooks-validate-"));
const writeTmp = (name: string, content: string | Buffer) => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};
const KNOWN = CALLBACK_TYPES.join(", ");

describe("runValidate: human output", () => {
  it("exits 0 and prints a tick per valid payload and the summary", async () => {
    const io = fakeIo();
    const files = [fixturePath("mo_text.json"), fixturePath("delivery_report_sms.full.json")];
    expect(await runValidate({ inputs: files, json: false }, io)).toBe(0);
    expect(io.stdout.text()).toBe(
      [`✓ ${files[0]!.padEnd(files[1]!.length)}  mo_text`, `✓ ${files[1]}  delivery_report_sms`, "2 valid, 0 invalid", ""].join("\n"),
    );
    expect(io.stderr.text()).toBe("");
  });

  it("exits 1 and lists the errors under an invalid payload", async () => {
    const io = fakeIo();
    const bad = fixturePath("invalid/delivery_report_sms.count-zero.json");
    const good = fixturePath("mo_text.json");
    expect(await runValidate({ inputs: [good, bad], json: false }, io)).toBe(1);
    const lines = io.stdout.text().split("\n");
    expect(lines[1]).toBe(`✗ ${bad}  delivery_report_sms`);
    expect(lines[2]).toBe("    /statuses/1/count must be >= 1");
    expect(lines[3]).toBe("1 valid, 1 invalid");
  });

  it("prints warnings with ! and keeps the payload valid", async () => {
    const io = fakeIo();
    const path = writeTmp("extra.json", JSON.stringify({ type: "recipient_delivery_report_sms", batch_id: "b", recipient: "+15550100010", code: 0, status: "Sent", at: "2025-01-13T09:30:05Z", note: 1 }));
    expect(await runValidate({ inputs: [path], json: false }, io)).toBe(0);
    expect(io.stdout.text()).toBe(
      [
        `✓ ${path}  recipient_delivery_report_sms`,
        `    ! /status "Sent" is not a known status value (known: Queued, Dispatched, Aborted, Cancelled, Rejected, Deleted, Delivered, Failed, Expired, Unknown); accepted because the list is open`,
        "    ! /note is not a known recipient_delivery_report_sms field (allowed: Sinch may add fields)",
        "1 valid, 0 invalid",
        "",
      ].join("\n"),
    );
  });

  it("reports an unknown type without a type column", async () => {
    const io = fakeIo();
    const path = fixturePath("invalid/unknown-type.json");
    expect(await runValidate({ inputs: [path], json: false }, io)).toBe(1);
    expect(io.stdout.text()).toBe([`✗ ${path}`, `    unknown callback type "delivery_report" (known: ${KNOWN})`, "0 valid, 1 invalid", ""].join("\n"));
  });

  it("reports a JSON syntax error with its line and column (exit 1)", async () => {
    const io = fakeIo();
    const path = writeTmp("broken.json", '{\n  "type": "mo_text",\n  "body": "hi",\n}\n');
    expect(await runValidate({ inputs: [path], json: false }, io)).toBe(1);
    expect(io.stdout.text()).toBe(
      [`✗ ${path}`, "    invalid JSON at line 3, column 15: trailing comma before '}' (JSON does not allow one)", "0 valid, 1 invalid", ""].join("\n"),
    );
  });

  it("reports an empty file as invalid", async () => {
    const io = fakeIo();
    const path = writeTmp("empty.json", "");
    expect(await runValidate({ inputs: [path], json: false }, io)).toBe(1);
    expect(io.stdout.text()).toBe([`✗ ${path}`, "    file is empty", "0 valid, 1 invalid", ""].join("\n"));
  });

  it("reports bytes that are not UTF-8, and reads UTF-16 with a BOM", async () => {
    const io = fakeIo();
    const latin1 = writeTmp("latin1.json", Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
    const utf16 = writeTmp("utf16.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify({ type: "nope" }), "utf16le")]));
    expect(await runValidate({ inputs: [latin1, utf16], json: true }, io)).toBe(1);
    const [first, second] = io.stdout.text().trim().split("\n").map((l) => JSON.parse(l) as { errors: { message: string }[] });
    expect(first!.errors[0]!.message).toBe("file is not valid UTF-8 text");
    expect(second!.errors[0]!.message).toBe(`unknown callback type "nope" (known: ${KNOWN})`);
  });

  it("colours the marks when colour is forced, and not otherwise", async () => {
    const plain = fakeIo();
    await runValidate({ inputs: [fixturePath("mo_text.json")], json: false }, plain);
    expect(plain.stdout.text()).not.toContain("\u001b[");
    const coloured = fakeIo({ env: { FORCE_COLOR: "1" } });
    await runValidate({ inputs: [fixturePath("mo_text.json")], json: false }, coloured);
    expect(coloured.stdout.text()).toContain("\u001b[32m✓\u001b[39m");
  });
});

describe("runValidate: --json", () => {
  it("prints one JSON object per payload and nothing else", async () => {
    const io = fakeIo();
    const good = fixturePath("mo_binary.json");
    const bad = fixturePath("invalid/mo_binary.too-long.json");
    expect(await runValidate({ inputs: [good, bad], json: true }, io)).toBe(1);
    const lines = io.stdout.text().trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({ source: good, ok: true, type: "mo_binary", errors: [], warnings: [] });
    expect(JSON.parse(lines[1]!)).toEqual({
      source: bad,
      ok: false,
      type: "mo_binary",
      errors: [{ pointer: "/body", keyword: "maxBytes", message: "/body and /udh must be at most 140 bytes together after decoding (got 141: body 135 + udh 6)" }],
      warnings: [],
    });
  });

  it("gives syntax errors their line and column", async () => {
    const io = fakeIo();
    const path = writeTmp("events.ndjson", '{"type":"mo_text"}\n{"type":\n{"type":"x"}\n');
    await runValidate({ inputs: [path], json: true }, io);
    const lines = io.stdout.text().trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.source)).toEqual([`${path}:1`, `${path}:2`, `${path}:3`]);
    expect(lines[1]).toEqual({
      source: `${path}:2`,
      ok: false,
      type: null,
      errors: [{ pointer: "", keyword: "json", message: "invalid JSON at line 2, column 9: unexpected end of input, expected a value", line: 2, column: 9 }],
      warnings: [],
    });
  });
});

describe("runValidate: inputs", () => {
  it("reads stdin for -", async () => {
    const io = fakeIo({ stdin: '[{"type":"mo_text"},{"type":"delivery_report_sms","batch_id":"b","statuses":[],"total_message_count":0}]' });
    expect(await runValidate({ inputs: ["-"], json: false }, io)).toBe(1);
    expect(io.stdout.text()).toBe(
      [
        "✗ stdin[0]  mo_text",
        "    /id is required",
        "    /from is required",
        "    /to is required",
        "    /body is required",
        "    /received_at is required",
        "✓ stdin[1]  delivery_report_sms",
        "1 valid, 1 invalid",
        "",
      ].join("\n"),
    );
  });

  it("reports empty stdin as an invalid entry", async () => {
    const io = fakeIo({ stdin: "" });
    expect(await runValidate({ inputs: ["-"], json: true }, io)).toBe(1);
    expect(JSON.parse(io.stdout.text())).toMatchObject({ source: "stdin", ok: false, errors: [{ message: "file is empty" }] });
  });

  it("throws the InputError (exit 2) for a missing file before printing anything", async () => {
    const io = fakeIo();
    const missing = join(tmp, "nope.json");
    const run = runValidate({ inputs: [fixturePath("mo_text.json"), missing], json: false }, io);
    await expect(run).rejects.toBeInstanceOf(InputError);
    await expect(run).rejects.toMatchObject({ exitCode: 2, message: `file not found: ${missing}` });
    expect(io.stdout.text()).toBe("");
  });

  it("validates every fixture file, valid and invalid, in one run", async () => {
    const io = fakeIo();
    const valid = CALLBACK_TYPES.map((t) => fixturePath(`${t}.json`));
    const invalid = ["mo_text.missing-body.json", "not-an-object.json", "missing-type.json"].map((f) => fixturePath(`invalid/${f}`));
    expect(await runValidate({ inputs: [...valid, ...invalid], json: false }, io)).toBe(1);
    expect(io.stdout.text().trimEnd().split("\n").at(-1)).toBe("7 valid, 3 invalid");
    expect(io.stdout.text()).toContain("    payload must be a JSON object (got string)");
    expect(io.stdout.text()).toContain(`    missing "type" (known: ${KNOWN})`);
  });
});
