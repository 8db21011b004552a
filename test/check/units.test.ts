/** The pure parts of `check`: the JSON formatter behind raw-body-fidelity, selection, grouping, exit rules, escaping. */
import { describe, expect, it } from "vitest";
import { VARIANTS, serialize } from "../../src/check/checks/raw-body.js";
import { groupedNotes } from "../../src/check/probe.js";
import { displayTarget } from "../../src/check/reach.js";
import { CHECK_NAMES, selectChecks } from "../../src/check/registry.js";
import { exitCodeFor, failsRun, xmlEscape } from "../../src/check/report.js";
import type { CheckReport } from "../../src/check/run.js";
import type { CheckResult, Probe } from "../../src/check/types.js";
import { UsageError } from "../../src/errors.js";
import { freshen, loadSample, parseSampleName } from "../../src/fixtures/samples.js";
import { validateCallback } from "../../src/validate/validate.js";
import { parseXml } from "./xml.js";

describe("serialize: the formatting variants of raw-body-fidelity", () => {
  it.each(VARIANTS.map((v) => [v.label, v] as const))("%s parses back to the same valid callback", async (_label, variant) => {
    const { type, variant: sampleVariant } = parseSampleName(variant.sample);
    let payload = freshen(await loadSample(type, sampleVariant), { now: Date.UTC(2026, 10, 27) }) as Record<string, unknown>;
    if (variant.prepare) payload = variant.prepare(payload);
    const text = serialize(payload, variant.style) + (variant.trailer ?? "");
    expect(JSON.parse(text)).toEqual(payload);
    expect(validateCallback(JSON.parse(text)).ok).toBe(true);
  });

  it("each variant differs from what JSON.stringify would write where it says it does", () => {
    const value = { type: "mo_media", url: "https://x/y", text: "Grüße 👋", list: [1, { a: null }] };
    expect(serialize(value)).toBe(JSON.stringify(value));
    expect(serialize(value, { escapeSlash: true })).toContain('"https:\\/\\/x\\/y"');
    const escaped = serialize(value, { escapeNonAscii: true });
    expect(escaped).toContain('"Gr\\u00fc\\u00dfe \\ud83d\\udc4b"');
    expect([...escaped].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
    expect(serialize(value, { indent: "\t", newline: "\r\n", colon: " : ", comma: " " })).toBe(
      '{\r\n\t"type" : "mo_media", \r\n\t"url" : "https://x/y", \r\n\t"text" : "Grüße 👋", \r\n\t"list" : [\r\n\t\t1, \r\n\t\t{\r\n\t\t\t"a" : null\r\n\t\t}\r\n\t]\r\n}',
    );
    expect(serialize(value, { keyOrder: (k) => k.toReversed() }).startsWith('{"list":')).toBe(true);
    for (const style of [{ escapeSlash: true }, { escapeNonAscii: true }, { indent: "  " }, { keyOrder: (k: string[]) => k.toReversed() }]) {
      expect(JSON.parse(serialize(value, style))).toEqual(value);
    }
  });
});

describe("selectChecks", () => {
  it("keeps registry order and applies --skip after --only", () => {
    expect(selectChecks(["credentials", "idempotency", "forward-compat"], ["forward-compat"]).map((c) => c.name)).toEqual(["idempotency", "credentials"]);
    expect(selectChecks(undefined, undefined).map((c) => c.name)).toEqual(CHECK_NAMES);
  });

  it("names are stable kebab-case", () => {
    for (const name of CHECK_NAMES) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(CHECK_NAMES).size).toBe(CHECK_NAMES.length);
  });

  it("an unknown name throws a UsageError listing the real ones", () => {
    expect(() => selectChecks(["idempotence"], undefined)).toThrow(UsageError);
    expect(() => selectChecks(undefined, ["nope"])).toThrow(/--skip: unknown check "nope"/);
  });
});

const probe = (label: string, status: number | null, verdict: Probe["verdict"], note = `${label}: ${status} in 1 ms → x`): Probe => ({ label, status, latencyMs: 1, verdict, note });

describe("groupedNotes", () => {
  it("folds three or more identical refusals into one line, keeps slow 2xx answers apart", () => {
    const notes = groupedNotes([
      probe("a", 401, "fail"),
      probe("b", 401, "fail"),
      probe("c", 401, "fail"),
      probe("d", 500, "fail"),
      probe("e", 200, "fail", "e: 200 in 900 ms → delivered — over the 300 ms budget"),
      probe("f", 200, "fail", "f: 200 in 800 ms → delivered — over the 300 ms budget"),
      probe("g", 200, "fail", "g: 200 in 700 ms → delivered — over the 300 ms budget"),
      probe("h", 200, "pass"),
    ]);
    expect(notes).toEqual([
      "3 × (a, b, c): 401 in 1 ms → x",
      "d: 500 in 1 ms → x",
      "e: 200 in 900 ms → delivered — over the 300 ms budget",
      "f: 200 in 800 ms → delivered — over the 300 ms budget",
      "g: 200 in 700 ms → delivered — over the 300 ms budget",
    ]);
  });
});

const result = (name: string, verdict: CheckResult["verdict"]): CheckResult => ({ name, verdict, figure: { text: "" }, details: [], explanation: "", probes: [] });
const report = (results: CheckResult[], extra: Partial<CheckReport> = {}): CheckReport => ({
  target: "http://x/",
  auth: "none",
  budgetMs: 2000,
  timeoutMs: 10_000,
  startedAt: 0,
  durationMs: 0,
  results,
  interrupted: false,
  ...extra,
});

describe("exit rules", () => {
  it("failures fail; warnings only with --strict; hmac-freshness never", () => {
    expect(failsRun(result("idempotency", "fail"), false)).toBe(true);
    expect(failsRun(result("forward-compat", "warn"), false)).toBe(false);
    expect(failsRun(result("forward-compat", "warn"), true)).toBe(true);
    expect(failsRun(result("hmac-freshness", "warn"), true)).toBe(false);
    expect(failsRun(result("credentials", "skip"), true)).toBe(false);
  });

  it("0, 1, 3 and 130", () => {
    expect(exitCodeFor(report([result("idempotency", "pass"), result("hmac-freshness", "warn")]), true)).toBe(0);
    expect(exitCodeFor(report([result("idempotency", "fail")]), false)).toBe(1);
    expect(exitCodeFor(report([result("idempotency", "fail")], { noAnswer: "connection reset" }), false)).toBe(3);
    expect(exitCodeFor(report([result("idempotency", "skip")], { interrupted: true }), false)).toBe(130);
  });
});

describe("printing", () => {
  it("xmlEscape keeps text well-formed: markup escaped, characters XML cannot hold dropped", () => {
    expect(xmlEscape(`<a href="x">&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    expect(xmlEscape("ok\u0000\u0007\u001b[31m\ud800 👋\t\n")).toBe("ok[31m 👋\t\n");
  });

  it("displayTarget drops user-info and the query", () => {
    expect(displayTarget(new URL("https://user:pw@example.com:8443/hooks/sinch?token=abc"))).toBe("https://example.com:8443/hooks/sinch?…");
    expect(displayTarget(new URL("http://127.0.0.1:3000/"))).toBe("http://127.0.0.1:3000/");
  });
});

describe("the test's XML reader is strict enough to prove well-formedness", () => {
  it.each(["<a><b></a>", "<a>&</a>", "<a/>junk", '<a x="1" x="2"/>', "<a>", "<a>&bogus;</a>"])("rejects %j", (text) => {
    expect(() => parseXml(text)).toThrow();
  });

  it("reads entities, attributes and nesting", () => {
    const root = parseXml('<?xml version="1.0"?>\n<r k="&quot;v&amp;&#x1F44B;"><c>1 &lt; 2</c><c/></r>\n');
    expect(root.attrs.k).toBe('"v&👋');
    expect(root.children.map((c) => c.text)).toEqual(["1 < 2", ""]);
  });
});
