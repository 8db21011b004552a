/**
 * Turning file text into payloads: JSON.parse with a line/column on failure, and the split of a
 * file into one payload, an array of payloads, or NDJSON records.
 */

export interface JsonSyntaxProblem {
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units (what editors such as VS Code show). */
  column: number;
}

export type ParseResult = { ok: true; value: unknown } | ({ ok: false } & JsonSyntaxProblem);

export interface PayloadEntry {
  /** `file.json`, `batch.json[2]` (array element) or `events.ndjson:3` (NDJSON line). */
  label: string;
  value?: unknown;
  error?: JsonSyntaxProblem;
  /** The exact text of this payload when it has one (single payload or NDJSON line), for byte-exact replay. */
  raw?: string;
}

const BOM = "\uFEFF";

/** Problems of a whole file that are not JSON syntax errors. */
export const EMPTY_FILE = "file is empty";
export const EMPTY_ARRAY = "file holds an empty array, no payloads";

function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

export function parseJson(text: string): ParseResult {
  const source = stripBom(text);
  try {
    return { ok: true, value: JSON.parse(source) };
  } catch (err) {
    // V8's messages differ between Node versions and Node 20 often omits the position
    // ("Unexpected token '}', "{"a":}" is not valid JSON"), so locate the problem ourselves.
    const found = findSyntaxError(source);
    if (found !== null) return { ok: false, message: found.message, ...lineColumn(source, found.offset) };
    const message = err instanceof Error ? err.message : String(err);
    const position = /at position (\d+)/.exec(message);
    return { ok: false, message, ...lineColumn(source, position === null ? 0 : Number(position[1])) };
  }
}

/**
 * One file → payloads:
 * - the whole text is JSON: an array is a list of payloads, anything else is one payload;
 * - otherwise, if every non-blank line parses, or at least two lines start with "{" in column 1
 *   (NDJSON records; a pretty-printed file indents its inner objects), each non-blank line is a
 *   payload and a broken line is reported on its own;
 * - otherwise the file is one broken JSON document, reported at its line and column.
 */
export function splitPayloads(text: string, name: string): PayloadEntry[] {
  const source = stripBom(text);
  if (source.trim() === "") return [{ label: name, error: { message: EMPTY_FILE, line: 1, column: 1 } }];

  const whole = parseJson(source);
  if (whole.ok) {
    if (!Array.isArray(whole.value)) return [{ label: name, value: whole.value, raw: source.replace(/\r?\n$/, "") }];
    if (whole.value.length === 0) return [{ label: name, error: { message: EMPTY_ARRAY, line: 1, column: 1 } }];
    return whole.value.map((value, i) => ({ label: `${name}[${i}]`, value }));
  }

  const lines = source.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  const records: { lineNo: number; line: string; parsed: ParseResult }[] = [];
  let braceLines = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    if (line.startsWith("{")) braceLines++;
    records.push({ lineNo: i + 1, line, parsed: parseJson(line) });
  }
  const looksLikeNdjson = records.length > 1 && (braceLines >= 2 || records.every((r) => r.parsed.ok));
  if (!looksLikeNdjson) return [{ label: name, error: { message: whole.message, line: whole.line, column: whole.column } }];

  return records.map(({ lineNo, line, parsed }) =>
    parsed.ok
      ? { label: `${name}:${lineNo}`, value: parsed.value, raw: line }
      : { label: `${name}:${lineNo}`, raw: line, error: { message: parsed.message, line: lineNo, column: parsed.column } },
  );
}

// ---------------------------------------------------------------------------------------------
// A JSON (RFC 8259) syntax scanner, run only after JSON.parse has failed, to say where and why.
// Iterative with an explicit stack, so deeply nested input cannot overflow the call stack.
// ---------------------------------------------------------------------------------------------

interface SyntaxErrorAt {
  offset: number;
  message: string;
}

function fail(offset: number, message: string): SyntaxErrorAt {
  return { offset, message };
}

/** What the scanner expects next. */
type Expect = "value" | "key" | "after-value";

export function findSyntaxError(text: string): SyntaxErrorAt | null {
  const stack: ("{" | "[")[] = [];
  let i = 0;
  let state: Expect = "value";
  const n = text.length;
  const skipWs = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      i++;
    }
  };
  const eof = (what: string): SyntaxErrorAt => fail(n, `unexpected end of input, expected ${what}`);

  for (;;) {
    skipWs();
    if (state === "value") {
      if (i >= n) return eof(stack.length === 0 ? "a JSON value" : "a value");
      const c = text[i]!;
      if (c === "{" || c === "[") {
        const close = c === "{" ? "}" : "]";
        i++;
        skipWs();
        if (text[i] === close) {
          i++;
          state = "after-value";
        } else {
          stack.push(c);
          state = c === "{" ? "key" : "value";
        }
        continue;
      }
      const end = c === '"' ? scanString(text, i) : c === "-" || isDigit(c) ? scanNumber(text, i) : scanLiteral(text, i);
      if (typeof end !== "number") return end;
      i = end;
      state = "after-value";
      continue;
    }
    if (state === "key") {
      if (i >= n) return eof("a property name");
      if (text[i] !== '"') return fail(i, `expected a property name in double quotes, found ${describeAt(text, i)}`);
      const end = scanString(text, i);
      if (typeof end !== "number") return end;
      i = end;
      skipWs();
      if (i >= n) return eof("':'");
      if (text[i] !== ":") return fail(i, `expected ':' after the property name, found ${describeAt(text, i)}`);
      i++;
      state = "value";
      continue;
    }
    // "after-value"
    const top = stack[stack.length - 1];
    if (top === undefined) return i < n ? fail(i, `unexpected ${describeAt(text, i)} after the end of the JSON value`) : null;
    const close = top === "{" ? "}" : "]";
    if (i >= n) return eof(`',' or '${close}'`);
    const c = text[i]!;
    if (c === ",") {
      const comma = i;
      i++;
      skipWs();
      if (text[i] === "}" || text[i] === "]") return fail(comma, `trailing comma before '${text[i]}' (JSON does not allow one)`);
      state = top === "{" ? "key" : "value";
      continue;
    }
    if (c === close) {
      stack.pop();
      i++;
      continue;
    }
    const after = top === "{" ? "a property value" : "an array element";
    return fail(i, `expected ',' or '${close}' after ${after}, found ${describeAt(text, i)}`);
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** Returns the offset after the closing quote, or the error. `start` is at the opening quote. */
function scanString(text: string, start: number): number | SyntaxErrorAt {
  let i = start + 1;
  for (;;) {
    if (i >= text.length) return { offset: start, message: "unterminated string" };
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code === 0x5c) {
      const esc = text[i + 1];
      if (esc === "u") {
        if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) return { offset: i, message: "invalid \\u escape, expected 4 hex digits" };
        i += 6;
      } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) {
        i += 2;
      } else {
        return { offset: i, message: `invalid escape ${esc === undefined ? "\\" : `\\${esc}`} in a string` };
      }
      continue;
    }
    if (code < 0x20) {
      const what = code === 0x0a ? "line break" : code === 0x09 ? "tab" : `control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
      return { offset: i, message: `unescaped ${what} inside a string` };
    }
    i++;
  }
}

function scanNumber(text: string, start: number): number | SyntaxErrorAt {
  let i = start;
  if (text[i] === "-") i++;
  if (text[i] === "0") i++;
  else if (isDigit(text[i]) && text[i] !== "0") while (isDigit(text[i])) i++;
  else return { offset: i, message: `invalid number, expected a digit, found ${describeAt(text, i)}` };
  if (text[i] === ".") {
    i++;
    if (!isDigit(text[i])) return { offset: i, message: `invalid number, expected a digit after '.', found ${describeAt(text, i)}` };
    while (isDigit(text[i])) i++;
  }
  if (text[i] === "e" || text[i] === "E") {
    i++;
    if (text[i] === "+" || text[i] === "-") i++;
    if (!isDigit(text[i])) return { offset: i, message: `invalid number, expected an exponent digit, found ${describeAt(text, i)}` };
    while (isDigit(text[i])) i++;
  }
  return i;
}

function scanLiteral(text: string, start: number): number | SyntaxErrorAt {
  for (const word of ["true", "false", "null"]) {
    if (text.startsWith(word, start)) return start + word.length;
  }
  const c = text[start];
  const hint = c === "'" ? " (JSON strings use double quotes)" : c === "/" ? " (JSON has no comments)" : "";
  return { offset: start, message: `unexpected ${describeAt(text, start)}, expected a value${hint}` };
}

function describeAt(text: string, i: number): string {
  if (i >= text.length) return "end of input";
  const cp = text.codePointAt(i)!;
  const ch = String.fromCodePoint(cp);
  return cp < 0x20 ? `control character U+${cp.toString(16).toUpperCase().padStart(4, "0")}` : `'${ch}'`;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const upTo = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < upTo; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: upTo - lineStart + 1 };
}
