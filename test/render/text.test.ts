import { describe, expect, it } from "vitest";
import { redactPhone, redactText, truncateText } from "../../src/render/text.js";

const WAVE = "👋";
const SWEDEN = "🇸🇪";
const FAMILY = "👨‍👩‍👧‍👦"; // man ZWJ woman ZWJ girl ZWJ boy: one grapheme, 11 UTF-16 units
// True when a raw C0/C1 control character (ESC, BEL, CSI…) is present.
const hasControl = (s: string) => [...s].some((c) => {
  const n = c.codePointAt(0) ?? 0;
  return n < 0x20 || (n >= 0x7f && n < 0xa0);
});
const graphemeCount = (s: string) => [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(s)].length;

describe("truncateText", () => {
  it("returns short text unchanged", () => {
    expect(truncateText("Hello John! 👋", 60)).toBe("Hello John! 👋");
    expect(truncateText("", 5)).toBe("");
    expect(truncateText("abcde", 5)).toBe("abcde");
  });

  it("cuts to exactly maxChars characters, ellipsis included", () => {
    expect(truncateText("abcdefghij", 5)).toBe("abcd…");
    expect(truncateText("abcdef", 5)).toBe("abcd…");
    expect(truncateText("abcdefghij", 2)).toBe("a…");
    expect(truncateText("abcdefghij", 1)).toBe("…");
    expect(truncateText("abcdefghij", 0)).toBe("");
    expect(truncateText("abc", -3)).toBe("");
    expect(truncateText("abc", Number.NaN)).toBe("");
    expect(truncateText("abcdef", 4.9)).toBe("abc…");
  });

  it("treats Infinity as no limit", () => {
    const long = "x".repeat(10_000);
    expect(truncateText(long, Number.POSITIVE_INFINITY)).toBe(long);
  });

  it("counts non-ASCII text in graphemes, not UTF-16 units", () => {
    expect(truncateText("åäöåäö", 6)).toBe("åäöåäö");
    expect(truncateText("åäöåäö", 4)).toBe("åäö…");
    // "é" as e + combining acute accent is one character on screen.
    expect(truncateText("e\u0301e\u0301e\u0301", 3)).toBe("e\u0301e\u0301e\u0301");
    expect(truncateText("e\u0301e\u0301e\u0301", 2)).toBe("e\u0301…");
  });

  it("never splits an emoji, a flag or a ZWJ family", () => {
    expect(truncateText(WAVE.repeat(6), 4)).toBe(WAVE.repeat(3) + "…");
    expect(truncateText(SWEDEN.repeat(3), 3)).toBe(SWEDEN.repeat(3));
    expect(truncateText(SWEDEN.repeat(3), 2)).toBe(SWEDEN + "…");
    expect(truncateText(FAMILY + FAMILY + FAMILY, 2)).toBe(FAMILY + "…");
    expect(truncateText(`Hi ${FAMILY}${SWEDEN}${WAVE} there`, 6)).toBe(`Hi ${FAMILY}${SWEDEN}…`);
  });

  it("keeps a text that fits in graphemes even when it is longer in UTF-16 units", () => {
    const s = FAMILY.repeat(5);
    expect(s.length).toBe(55);
    expect(truncateText(s, 5)).toBe(s);
  });

  it("never returns more than maxChars graphemes", () => {
    const mixed = `a${FAMILY}b${SWEDEN}c${WAVE}\u0007d\ne\u202ef`;
    for (let max = 0; max <= 40; max++) {
      const out = truncateText(mixed, max);
      expect(graphemeCount(out)).toBeLessThanOrEqual(max);
    }
  });

  it("turns line breaks into ⏎ and tabs into spaces, so a body stays on one line", () => {
    expect(truncateText("one\ntwo\r\nthree\rfour", 60)).toBe("one⏎two⏎three⏎four");
    expect(truncateText("a\u2028b\u2029c", 60)).toBe("a⏎b⏎c");
    expect(truncateText("a\tb\t\tc", 60)).toBe("a b  c");
    expect(truncateText("a\n\nb", 3)).toBe("a⏎…");
  });

  it("escapes terminal control sequences instead of passing them through", () => {
    expect(truncateText("\u001b[31mred\u001b[0m", 60)).toBe("\\x1b[31mred\\x1b[0m");
    expect(truncateText("bell\u0007", 60)).toBe("bell\\x07");
    expect(truncateText("nul\u0000", 60)).toBe("nul\\x00");
    expect(truncateText("del\u007f", 60)).toBe("del\\x7f");
    // U+009B is a single-byte CSI in some terminals.
    expect(truncateText("\u009b2J", 60)).toBe("\\x9b2J");
    expect(truncateText("\u001b]0;title\u0007", 60)).toBe("\\x1b]0;title\\x07");
  });

  it("escapes bidi controls that could reorder the line", () => {
    expect(truncateText("abc\u202edcba", 60)).toBe("abc\\u202edcba");
    expect(truncateText("\u2066x\u2069", 60)).toBe("\\u2066x\\u2069");
  });

  it("keeps an escape whole when cutting, counting it at its printed length", () => {
    expect(truncateText("ab\u001bcd", 8)).toBe("ab\\x1bcd");
    expect(truncateText("ab\u001bcd", 7)).toBe("ab\\x1b…");
    expect(truncateText("ab\u001bcd", 6)).toBe("ab…");
    expect(truncateText("ab\u001bcd", 3)).toBe("ab…");
  });

  it("leaves no raw control character in any output", () => {
    let all = "";
    for (let c = 0; c < 0xa0; c++) all += String.fromCharCode(c);
    const out = truncateText(all, 10_000);
    expect(hasControl(out)).toBe(false);
    expect(out.startsWith("\\x00\\x01")).toBe(true);
  });

  // Speed is measured in the benchmarks, never asserted here (house rule); this checks correctness on a big input.
  it("truncates a megabyte body correctly", () => {
    const huge = "ä".repeat(1_000_000);
    expect(truncateText(huge, 60)).toBe("ä".repeat(59) + "…");
  });

  it("gets graphemes longer than its segmenting window right (combining-mark floods)", () => {
    // Each "character" is a base letter with 100 combining marks: 101 UTF-16 units, one grapheme.
    const zalgo = ("a" + "\u0301".repeat(100)).repeat(5);
    expect(truncateText(zalgo, 5)).toBe(zalgo);
    expect(truncateText(zalgo, 3)).toBe(zalgo.slice(0, 202) + "…");
  });

  it("gives the same answer for a long text as for its start", () => {
    const text = `${FAMILY}x\u001by${SWEDEN}\n`.repeat(5000);
    for (const max of [1, 2, 7, 60, 200]) {
      expect(truncateText(text, max)).toBe(truncateText(text.slice(0, 4000), max));
    }
  });
});

describe("redactText", () => {
  it("reports the length in characters and nothing else", () => {
    expect(redactText("Hello John! 👋")).toBe("[redacted 13 chars]");
    expect(redactText("x")).toBe("[redacted 1 char]");
    expect(redactText("")).toBe("[redacted 0 chars]");
    expect(redactText(FAMILY + SWEDEN)).toBe("[redacted 2 chars]");
  });

  it("counts code points instead of graphemes past 10 000 units, to stay fast", () => {
    expect(redactText("ä".repeat(10_000))).toBe("[redacted 10000 chars]");
    expect(redactText(WAVE.repeat(10_000))).toBe("[redacted 10000 chars]");
    expect(redactText(FAMILY.repeat(1000))).toBe("[redacted 7000 chars]");
    expect(redactText("ä".repeat(1_000_000))).toBe("[redacted 1000000 chars]");
  });
});

describe("redactPhone", () => {
  it.each([
    ["+15550100001", "+1555•••••01"],
    ["15550100001", "1555•••••01"],
    ["+46701234567", "+4670•••••67"],
    ["+447700900123", "+4477••••••23"],
    ["33612345678", "3361•••••78"],
    // Short numbers give up leading digits first, then trailing ones: five digits always stay hidden.
    ["12345678", "1•••••78"],
    ["1234567", "•••••67"],
    ["123456", "•••••6"],
    ["12345", "•••••"],
    ["+1", "+•"],
  ])("%s → %s", (input, expected) => {
    expect(redactPhone(input)).toBe(expected);
  });

  it("masks anything not shaped like a phone number completely", () => {
    expect(redactPhone("Sinch")).toBe("[redacted 5 chars]");
    expect(redactPhone("+1 555 0100")).toBe("[redacted 11 chars]");
    expect(redactPhone("1".repeat(21))).toBe("[redacted 21 chars]");
    expect(redactPhone("\u001b[2J")).toBe("[redacted 4 chars]");
  });

  it("leaves an empty string empty", () => {
    expect(redactPhone("")).toBe("");
  });
});
