/**
 * `sinch-hooks validate <files...>`: read every input, split it into payloads, validate each, print
 * one line per payload (or one JSON object per payload with --json) and a summary.
 * Exit codes: 0 all valid · 1 any payload invalid (including unparseable JSON) · 2 an unreadable
 * input (the InputError from readSource, rendered by cli/main.ts).
 */
import { EXIT } from "../errors.js";
import { readSource, type InputSource } from "../input.js";
import { colorEnabled, type Io } from "../io.js";
import { createTheme, type Theme } from "../render/theme.js";
import { EMPTY_ARRAY, EMPTY_FILE, splitPayloads, type PayloadEntry } from "./parse.js";
import { validateCallback, type ValidationIssue } from "./validate.js";

const NOT_UTF8 = "file is not valid UTF-8 text";

export interface ValidateOptions {
  inputs: string[];
  json: boolean;
}

/** A JSON syntax problem carries its position, so editors and scripts can jump to it. */
type ReportedIssue = ValidationIssue & { line?: number; column?: number };

export interface PayloadReport {
  source: string;
  ok: boolean;
  type: string | null;
  knownType: boolean;
  errors: ReportedIssue[];
  warnings: ValidationIssue[];
}

export async function runValidate(options: ValidateOptions, io: Io): Promise<number> {
  // Read everything first: an unreadable input stops the command (exit 2) before any verdict is
  // printed, so the output never mixes results with a missing file.
  const sources: InputSource[] = [];
  for (const spec of options.inputs) sources.push(await readSource(spec, io));

  const reports: PayloadReport[] = [];
  for (const source of sources) {
    const decoded = decodeText(source.bytes);
    const entries: PayloadEntry[] =
      typeof decoded === "string" ? splitPayloads(decoded, source.name) : [{ label: source.name, error: { message: decoded.error, line: 1, column: 1 } }];
    for (const entry of entries) reports.push(reportFor(entry));
  }

  if (options.json) {
    for (const r of reports) {
      io.stdout.write(`${JSON.stringify({ source: r.source, ok: r.ok, type: r.type, errors: r.errors, warnings: r.warnings })}\n`);
    }
  } else {
    io.stdout.write(renderHuman(reports, createTheme(colorEnabled(io.env, io.stdout))));
  }
  return reports.every((r) => r.ok) ? EXIT.ok : EXIT.checkFailed;
}

export function reportFor(entry: PayloadEntry): PayloadReport {
  if (entry.error !== undefined) {
    const { message, line, column } = entry.error;
    const text = message === EMPTY_FILE || message === EMPTY_ARRAY || message === NOT_UTF8 ? message : `invalid JSON at line ${line}, column ${column}: ${message}`;
    return { source: entry.label, ok: false, type: null, knownType: false, errors: [{ pointer: "", keyword: "json", message: text, line, column }], warnings: [] };
  }
  const result = validateCallback(entry.value);
  return { source: entry.label, ok: result.ok, type: result.type, knownType: result.knownType, errors: result.errors, warnings: result.warnings };
}

export function renderHuman(reports: readonly PayloadReport[], theme: Theme): string {
  const width = Math.min(60, Math.max(0, ...reports.map((r) => r.source.length)));
  let out = "";
  for (const r of reports) {
    const mark = r.ok ? theme.green("✓") : theme.red("✗");
    const type = r.knownType && r.type !== null ? `  ${theme.cyan(r.type)}` : "";
    out += `${mark} ${r.source.padEnd(width)}${type}`.trimEnd() + "\n";
    for (const e of r.errors) out += `    ${theme.red(e.message)}\n`;
    for (const w of r.warnings) out += `    ${theme.yellow(`! ${w.message}`)}\n`;
  }
  const valid = reports.filter((r) => r.ok).length;
  const invalid = reports.length - valid;
  const summary = `${valid} valid, ${invalid} invalid`;
  out += `${invalid > 0 ? theme.red(summary) : theme.green(summary)}\n`;
  return out;
}

/**
 * Bytes → text. UTF-8 (with or without BOM) is the norm; a UTF-16 BOM is honoured because Windows
 * PowerShell's `>` writes UTF-16LE. Anything else that is not valid UTF-8 is reported, not guessed.
 */
function decodeText(bytes: Buffer): string | { error: string } {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le", { fatal: true }).decode(bytes.subarray(2));
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be", { fatal: true }).decode(bytes.subarray(2));
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { error: NOT_UTF8 };
  }
}
