import { describe, expect, it } from "vitest";
import { EMPTY_ARRAY, EMPTY_FILE, findSyntaxError, parseJson, splitPayloads } from "../../src/validate/parse.js";

describe("parseJson", () => {
  it("returns the value", () => {
    expect(parseJson('{"type":"mo_text","n":[1,2.5e3,-0,true,null]}')).toEqual({ ok: true, value: { type: "mo_text", n: [1, 2500, -0, true, null] } });
  });

  it("strips a UTF-8 BOM", () => {
    expect(parseJson('\uFEFF{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it.each([
    ['{"a":}', 1, 6, "unexpected '}', expected a value"],
    ['{"a":1', 1, 7, "unexpected end of input, expected ',' or '}'"],
    ['{"a" 1}', 1, 6, "expected ':' after the property name, found '1'"],
    ["{a:1}", 1, 2, "expected a property name in double quotes, found 'a'"],
    ["{'a':1}", 1, 2, "expected a property name in double quotes, found '''"],
    ['{"a":\'x\'}', 1, 6, "unexpected ''', expected a value (JSON strings use double quotes)"],
    ['{"a":1,}', 1, 7, "trailing comma before '}' (JSON does not allow one)"],
    ["[1,2,]", 1, 5, "trailing comma before ']' (JSON does not allow one)"],
    ['{"a":1 "b":2}', 1, 8, "expected ',' or '}' after a property value, found '\"'"],
    ["[1 2]", 1, 4, "expected ',' or ']' after an array element, found '2'"],
    ['{"a":"x', 1, 6, "unterminated string"],
    ['{"a":"line\nbreak"}', 1, 11, "unescaped line break inside a string"],
    ['{"a":"\\q"}', 1, 7, "invalid escape \\q in a string"],
    ['{"a":"\\u12"}', 1, 7, "invalid \\u escape, expected 4 hex digits"],
    ['{"a":01}', 1, 7, "expected ',' or '}' after a property value, found '1'"],
    ['{"a":1.}', 1, 8, "invalid number, expected a digit after '.', found '}'"],
    ['{"a":1e}', 1, 8, "invalid number, expected an exponent digit, found '}'"],
    ['{"a":-}', 1, 7, "invalid number, expected a digit, found '}'"],
    ['{"a":tru}', 1, 6, "unexpected 't', expected a value"],
    ['{"a":NaN}', 1, 6, "unexpected 'N', expected a value"],
    ["// comment\n{}", 1, 1, "unexpected '/', expected a value (JSON has no comments)"],
    ['{"a":1} x', 1, 9, "unexpected 'x' after the end of the JSON value"],
    ['{"a":1}{"b":2}', 1, 8, "unexpected '{' after the end of the JSON value"],
    ["", 1, 1, "unexpected end of input, expected a JSON value"],
    ["   \n  ", 2, 3, "unexpected end of input, expected a JSON value"],
  ])("%j → line %i, column %i: %s", (text, line, column, message) => {
    expect(parseJson(text)).toEqual({ ok: false, message, line, column });
  });

  it("finds the line and column in a pretty-printed file", () => {
    const text = ['{', '  "type": "mo_text",', '  "id": "01JFAKE0000000000000000001"', '  "from": "+15550100001"', "}"].join("\n");
    expect(parseJson(text)).toEqual({ ok: false, message: "expected ',' or '}' after a property value, found '\"'", line: 4, column: 3 });
  });

  it("counts CRLF line endings as one line break", () => {
    expect(parseJson('{\r\n  "a": 1,\r\n  "b": \r\n}')).toMatchObject({ ok: false, line: 4, column: 1 });
  });

  it("counts columns after the BOM is stripped", () => {
    expect(parseJson('\uFEFF{"a":}')).toMatchObject({ ok: false, line: 1, column: 6 });
  });

  it("does not throw on deeply nested broken input", () => {
    const text = `${"[".repeat(200_000)}1${"]".repeat(199_999)}`;
    expect(parseJson(text)).toMatchObject({ ok: false, line: 1, column: 400_001, message: "unexpected end of input, expected ',' or ']'" });
  });

  it("agrees with JSON.parse about what is valid", () => {
    const valid = ['""', '"\\u00e9\\n\\"\\\\\\/"', "0", "-0.5e-3", "1E+2", "[]", "{}", '{"a":[{},[],"x",1,true,false,null]}', ' \t\r\n{ "a" : 1 } \n', '"👋"'];
    for (const text of valid) {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(findSyntaxError(text), text).toBeNull();
    }
  });
});

describe("splitPayloads", () => {
  const mo = '{"type":"mo_text","id":"1"}';

  it("reads a single payload, keeping its text without the trailing newline as raw", () => {
    const text = `{\n  "type": "mo_text"\n}\n`;
    expect(splitPayloads(text, "mo_text.json")).toEqual([{ label: "mo_text.json", value: { type: "mo_text" }, raw: '{\n  "type": "mo_text"\n}' }]);
    expect(splitPayloads(`${mo}\r\n`, "a.json")[0]!.raw).toBe(mo);
  });

  it("reads a JSON array as one payload per element", () => {
    expect(splitPayloads(`[${mo}, {"type":"mo_binary"}, 7]`, "batch.json")).toEqual([
      { label: "batch.json[0]", value: { type: "mo_text", id: "1" } },
      { label: "batch.json[1]", value: { type: "mo_binary" } },
      { label: "batch.json[2]", value: 7 },
    ]);
  });

  it("reads NDJSON, skipping blank lines and keeping each line's exact text", () => {
    const text = `${mo}\n\n  {"type": "mo_binary"}  \r\n${mo}\n`;
    expect(splitPayloads(text, "events.ndjson")).toEqual([
      { label: "events.ndjson:1", value: { type: "mo_text", id: "1" }, raw: mo },
      { label: "events.ndjson:3", value: { type: "mo_binary" }, raw: '  {"type": "mo_binary"}  ' },
      { label: "events.ndjson:4", value: { type: "mo_text", id: "1" }, raw: mo },
    ]);
  });

  it("reports a broken NDJSON line on its own line, with the others still read", () => {
    const entries = splitPayloads(`${mo}\n{"type":"mo_text",}\n${mo}\n`, "events.ndjson");
    expect(entries.map((e) => e.label)).toEqual(["events.ndjson:1", "events.ndjson:2", "events.ndjson:3"]);
    expect(entries[1]).toEqual({
      label: "events.ndjson:2",
      raw: '{"type":"mo_text",}',
      error: { message: "trailing comma before '}' (JSON does not allow one)", line: 2, column: 18 },
    });
    expect(entries[0]!.value).toEqual({ type: "mo_text", id: "1" });
  });

  it("treats lines of JSON that are not objects as NDJSON when every line parses", () => {
    expect(splitPayloads("1\n[2]\n", "x.ndjson").map((e) => e.value)).toEqual([1, [2]]);
  });

  it("reports a broken pretty-printed file once, at its line and column, not as NDJSON", () => {
    const text = ['[', '  {', '    "type": "mo_text"', '  },', '  {', '    "type": "mo_binary",', '  }', ']', ''].join("\n");
    expect(splitPayloads(text, "batch.json")).toEqual([
      { label: "batch.json", error: { message: "trailing comma before '}' (JSON does not allow one)", line: 6, column: 24 } },
    ]);
  });

  it("reports a broken single-line file once", () => {
    expect(splitPayloads('{"type":"mo_text"', "a.json")).toEqual([
      { label: "a.json", error: { message: "unexpected end of input, expected ',' or '}'", line: 1, column: 18 } },
    ]);
  });

  it("strips a UTF-8 BOM", () => {
    expect(splitPayloads(`\uFEFF${mo}`, "bom.json")).toEqual([{ label: "bom.json", value: { type: "mo_text", id: "1" }, raw: mo }]);
    expect(splitPayloads(`\uFEFF${mo}\n${mo}`, "bom.ndjson").map((e) => e.raw)).toEqual([mo, mo]);
  });

  it.each(["", "\n\n", "  \t ", "\uFEFF"])("reports an empty file (%j)", (text) => {
    expect(splitPayloads(text, "empty.json")).toEqual([{ label: "empty.json", error: { message: EMPTY_FILE, line: 1, column: 1 } }]);
  });

  it("reports an empty array", () => {
    expect(splitPayloads("[]\n", "none.json")).toEqual([{ label: "none.json", error: { message: EMPTY_ARRAY, line: 1, column: 1 } }]);
  });
});
