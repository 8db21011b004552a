import { describe, expect, it } from "vitest";
import { BASE64_PATTERN, HEX_PATTERN, LINEAR_PATTERN_TESTS, MIME_TYPE_PATTERN, MSISDN_PATTERN, PATTERN_DESCRIPTIONS } from "../../src/schemas/common.js";

// A small deterministic PRNG (mulberry32), so a failure reproduces.
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomStrings(alphabet: string, count: number, seed: number): string[] {
  const next = prng(seed);
  return Array.from({ length: count }, () => {
    const length = Math.floor(next() * 14);
    let s = "";
    for (let i = 0; i < length; i++) s += alphabet[Math.floor(next() * alphabet.length)];
    return s;
  });
}

describe("linear pattern tests agree with the schema patterns", () => {
  const cases: [string, string][] = [
    [BASE64_PATTERN, "AB+/=Zz09-_ \n"],
    [HEX_PATTERN, "0aFfgG9 x"],
  ];
  it.each(cases)("%s", (pattern, alphabet) => {
    const regex = new RegExp(pattern, "u");
    const test = LINEAR_PATTERN_TESTS[pattern]!;
    const samples = [...randomStrings(alphabet, 20_000, pattern.length), "", "=", "==", "A===", "AB==", "ABC=", "AB=C", "ABCD", "0", "00", "0g"];
    const disagreements = samples.filter((s) => regex.test(s) !== test(s));
    expect(disagreements).toEqual([]);
    // Both outcomes occur, so the comparison means something.
    expect(samples.some((s) => test(s))).toBe(true);
    expect(samples.some((s) => !test(s))).toBe(true);
  });
});

describe("schema patterns", () => {
  it.each([
    [MSISDN_PATTERN, ["+15550100001", "15550100001", "1"], ["", "+", "+1 555", "1234567890123456", "abc"]],
    [BASE64_PATTERN, ["", "QQ==", "QUI=", "QUJD", "VGhpcyBpcyB0aGUgU01TIGJvZHk="], ["Q", "QQ=", "Q===", "QU JD", "a body"]],
    [HEX_PATTERN, ["", "00", "5573657244617461486561646572", "aBcD"], ["0", "foo udh", "0x00"]],
    [MIME_TYPE_PATTERN, ["image/png", "image/svg+xml", "text/plain; charset=utf-8", "application/vnd.3gpp.pic-bw-small"], ["", "image", "image/", "/png", "image png"]],
  ])("%s", (pattern, good, bad) => {
    const regex = new RegExp(pattern, "u");
    for (const s of good) expect(regex.test(s), s).toBe(true);
    for (const s of bad) expect(regex.test(s), s).toBe(false);
  });

  it("describes every pattern in words", () => {
    for (const pattern of [MSISDN_PATTERN, BASE64_PATTERN, HEX_PATTERN, MIME_TYPE_PATTERN]) expect(PATTERN_DESCRIPTIONS[pattern]).toMatch(/^must be /);
  });
});
