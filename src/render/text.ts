/**
 * Making untrusted callback text safe and short for a terminal line.
 *
 * Everything here takes text straight from an HTTP body: a hostile or broken sender controls it.
 * Terminal escape sequences, line breaks and bidi overrides in a message body must never reach
 * the terminal raw, or one callback could forge other lines of output.
 */

// Created once: constructing a Segmenter costs far more than using one, and these functions run
// for every callback the listener receives.
const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * Characters that must not be printed as they are:
 * - C0 controls, DEL and C1 controls (U+009B is a one-byte CSI in some terminals);
 * - line and paragraph separators, which some terminals treat as line breaks;
 * - bidi controls (U+061C, U+200E/F, U+202A–E, U+2066–9), which can visually reorder a line
 *   ("Trojan Source", CVE-2021-42574).
 * ZWJ (U+200D) and variation selectors are not here: emoji sequences need them.
 */
// oxlint-disable-next-line no-control-regex -- matching control characters is the point here
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, "g");
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;
const NEWLINE = "⏎";
// Window for segmenting long text: generous even for emoji ZWJ sequences (up to ~25 units each).
const WINDOW_UNITS_PER_CHAR = 32;
const ELLIPSIS = "…";

function escapeChar(ch: string): string {
  const cp = ch.charCodeAt(0);
  return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, "0")}` : `\\u${cp.toString(16).padStart(4, "0")}`;
}

/** A grapheme as it will be shown, and how many of the caller's characters it uses. */
function display(segment: string): [text: string, width: number] {
  if (!UNSAFE.test(segment)) return [segment, 1];
  if (segment === "\n" || segment === "\r\n" || segment === "\r" || segment === "\u2028" || segment === "\u2029") {
    return [NEWLINE, 1];
  }
  if (segment === "\t") return [" ", 1];
  // Controls are grapheme clusters of their own (UAX #29 rules GB4/GB5), so this is normally a
  // single character; escaping per character keeps it safe even if a future Unicode version
  // disagrees. The escape is counted at its printed length so the line still fits.
  const text = segment.replace(UNSAFE_ALL, escapeChar);
  return [text, text.length];
}

/**
 * `s` as one safe terminal line of at most `maxChars` user-perceived characters (graphemes),
 * "…" included when it is cut. Never splits a grapheme (emoji, flags, ZWJ families stay whole) or
 * an escape sequence. Line breaks become "⏎", tabs a space, other controls `\x1b`-style escapes.
 * `Infinity` means no limit; a negative or NaN `maxChars` means zero.
 */
export function truncateText(s: string, maxChars: number): string {
  const max = Number.isNaN(maxChars) ? 0 : Math.max(0, Math.floor(maxChars));
  // Fast paths: nothing to escape and short enough in UTF-16 units means short enough in
  // graphemes; printable ASCII is one grapheme per unit.
  if (!UNSAFE.test(s)) {
    if (s.length <= max) return s;
    if (PRINTABLE_ASCII.test(s)) return max === 0 ? "" : s.slice(0, max - 1) + ELLIPSIS;
  }
  if (max === 0) return "";
  // Intl.Segmenter prepares the whole string up front (about 0.1 µs per UTF-16 unit), so a
  // megabyte body would cost ~100 ms per line. Segment a window that is almost always enough;
  // only when the window runs out before the limit (absurdly long graphemes) is all of it used.
  const windowLength = (max + 1) * WINDOW_UNITS_PER_CHAR;
  if (windowLength < s.length) {
    const [text, cut] = fit(s.slice(0, windowLength), max);
    if (cut) return text;
  }
  return fit(s, max)[0];
}

/**
 * `s` made safe and cut to `max` characters, and whether it was cut. When a prefix of a longer
 * text is cut, the result is the same as for the whole text: UAX #29 places each boundary by
 * looking only at the characters before it and the one after, and a cut result never includes
 * the prefix's last grapheme (the only one that can differ).
 */
function fit(s: string, max: number): [text: string, cut: boolean] {
  let out = "";
  let used = 0;
  // The longest prefix that still leaves room for the ellipsis, remembered in case we must cut.
  let cutOut = "";
  let cutSet = false;
  for (const { segment } of graphemes.segment(s)) {
    const [text, width] = display(segment);
    if (!cutSet && used + width > max - 1) {
      cutOut = out;
      cutSet = true;
    }
    used += width;
    if (used > max) return [cutOut + ELLIPSIS, true];
    out += text;
  }
  return [out, false];
}

// Past this length the count is of code points, not graphemes: segmenting costs ~0.1 µs per unit
// (see truncateText), and no valid Sinch text comes near it (bodies are at most 2000 characters).
const EXACT_COUNT_LIMIT = 10_000;

function graphemeCount(s: string): number {
  if (PRINTABLE_ASCII.test(s)) return s.length;
  let n = 0;
  if (s.length > EXACT_COUNT_LIMIT) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      // A low surrogate that follows a high one belongs to the same code point.
      if (!(c >= 0xdc00 && c <= 0xdfff && i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) n++;
    }
    return n;
  }
  for (const _ of graphemes.segment(s)) n++;
  return n;
}

/**
 * `[redacted N chars]`: hides the text but keeps its length in graphemes (code points beyond
 * 10 000 UTF-16 units), which helps debugging.
 */
export function redactText(s: string): string {
  const n = graphemeCount(s);
  return `[redacted ${n} ${n === 1 ? "char" : "chars"}]`;
}

// E.164 allows 15 digits; beyond 20 the value is not a phone number and is masked as text.
const PHONE = /^(\+?)(\d{1,20})$/;
const KEEP_TAIL = 2;
const KEEP_HEAD = 4;
// Never reveal a number unless at least this many of its digits stay hidden.
const MIN_HIDDEN = 5;

/**
 * Masks a phone number while keeping it recognisable: the leading "+" (if any), up to four leading
 * digits (country and area code, which help debug routing) and the last two, with "•" for each
 * hidden digit, so `+15550100001` becomes `+1555•••••01`. At least five digits are always
 * hidden: short numbers give up their leading digits first, then the trailing ones. Anything not
 * shaped like a phone number (sender IDs, garbage) is masked completely with redactText.
 */
export function redactPhone(s: string): string {
  if (s === "") return s;
  const m = PHONE.exec(s);
  if (!m) return redactText(s);
  const plus = m[1] ?? "";
  const digits = m[2] ?? "";
  const n = digits.length;
  // Digits that may be shown, spent on the tail first: it is what tells two test numbers apart.
  const budget = Math.max(0, n - MIN_HIDDEN);
  const tail = Math.min(KEEP_TAIL, budget);
  const head = Math.min(KEEP_HEAD, budget - tail);
  return plus + digits.slice(0, head) + "•".repeat(n - head - tail) + digits.slice(n - tail);
}
