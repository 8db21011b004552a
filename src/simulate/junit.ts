/**
 * A small JUnit XML writer for `simulate-retries --junit FILE`: one <testcase> per callback, its timeline
 * in <system-out>, a <failure> when it missed --expect / --expect-attempts. The shape is the common
 * denominator CI servers read (GitLab, Jenkins, GitHub test reporters): testsuites > testsuite > testcase.
 */

export interface JunitCase {
  name: string;
  classname: string;
  /** Seconds. */
  time: number;
  failure?: { message: string; body: string };
  systemOut: string;
}

export interface JunitSuite {
  name: string;
  /** Seconds. */
  time: number;
  /** ISO 8601, when the run started. */
  timestamp: string;
  cases: readonly JunitCase[];
}

/** Characters XML 1.0 forbids even escaped (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/F). */
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// Colour codes have no place in a report file (the command renders without colour, but be safe).
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function xmlEscape(text: string): string {
  return text
    .replace(ANSI, "")
    .replace(FORBIDDEN, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const secs = (s: number): string => (Number.isFinite(s) ? Math.max(0, s).toFixed(3) : "0.000");

export function renderJunit(suite: JunitSuite): string {
  const failures = suite.cases.filter((c) => c.failure).length;
  const head = `tests="${suite.cases.length}" failures="${failures}" errors="0" skipped="0" time="${secs(suite.time)}"`;
  let out = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlEscape(suite.name)}" ${head}>\n`;
  out += `  <testsuite name="${xmlEscape(suite.name)}" ${head} timestamp="${xmlEscape(suite.timestamp)}">\n`;
  for (const c of suite.cases) {
    out += `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${secs(c.time)}">\n`;
    if (c.failure) out += `      <failure message="${xmlEscape(c.failure.message)}" type="expectation">${xmlEscape(c.failure.body)}</failure>\n`;
    out += `      <system-out>${xmlEscape(c.systemOut)}</system-out>\n`;
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}
