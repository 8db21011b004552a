/**
 * The official Sinch Node SDK as an independent oracle for signHmac/verifyHmac
 * (shared/reference/sinch-callbacks.md §7). Versions pinned in devDependencies: @sinch/sms 1.4.0,
 * @sinch/sdk-client 1.5.0, @sinch/sdk-core 1.4.0 (§7.1: the combination that installs and loads).
 *
 * §7.3 quirks respected here: the oracle always gets the raw body as a STRING (a Buffer would be
 * JSON.stringify'd and always fail), and it only confirms correct signatures; it cannot judge
 * missing headers, staleness or replays, so those stay in hmac.test.ts.
 */
import { calculateWebhookSignature, computeSignedData } from "@sinch/sdk-client";
import { SmsCallbackWebhooks } from "@sinch/sms";
import { describe, expect, it } from "vitest";
import { HMAC_HEADERS, signHmac, verifyHmac } from "../../src/sign/hmac.js";

/** mulberry32: a tiny seeded PRNG, so the 200 cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Text fragments chosen to stress encoding: multi-byte UTF-8 (2, 3 and 4 bytes, ZWJ sequences,
// combining marks, RTL), JSON escapes that must be hashed as the escape text, and raw whitespace.
const FRAGMENTS = [
  "Hello John! 👋",
  "café crème brûlée",
  "Ünïcödé ß ø å",
  "日本語のテキスト",
  "مرحبا بالعالم",
  "👩‍👩‍👧‍👦 family",
  "e\u0301 combining",
  "\\u00e9 escaped é",
  '\\"quoted\\" text',
  "back\\\\slash",
  "tab\\tnewline\\n",
  "slash \\/ escaped",
  "\\ud83d\\udc4b escaped emoji",
  "plain ASCII 0123456789",
  "    spaces   inside   ",
  "€100 · ±5 ≠ ∞",
  "'single' quotes and `ticks`",
  "STOP",
  "",
];

const TYPES = ["mo_text", "delivery_report_sms", "recipient_delivery_report_sms", "mo_binary", "mo_media"];
const CROCKFORD = [..."0123456789ABCDEFGHJKMNPQRSTVWXYZ"];

interface OracleCase {
  index: number;
  secret: string;
  nonce: string;
  timestamp: number;
  body: string;
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function makeCase(index: number, rand: () => number): OracleCase {
  const text = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(rand, FRAGMENTS)).join(" ");
  const fields: string[] = [
    `"type":"${pick(rand, TYPES)}"`,
    `"id":"01${Array.from({ length: 24 }, () => pick(rand, CROCKFORD)).join("")}"`,
    `"from":"${rand() < 0.5 ? "+" : ""}4670${Math.floor(rand() * 1e7)}"`,
    `"body":"${text}"`,
    `"received_at":"2025-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 10)}T09:22:40${rand() < 0.5 ? ".914" : ""}Z"`,
    `"code":${Math.floor(rand() * 500)}`,
  ];
  // Layout variants: compact (what Sinch sends), spaced, pretty-printed with \n or \r\n, a trailing
  // newline. The signature must cover whatever bytes are there.
  let body: string;
  switch (index % 5) {
    case 0:
      body = `{${fields.join(",")}}`;
      break;
    case 1:
      body = `{ ${fields.join(", ")} }`;
      break;
    case 2:
      body = `{\n  ${fields.join(",\n  ")}\n}`;
      break;
    case 3:
      body = `{\r\n\t${fields.join(",\r\n\t")}\r\n}`;
      break;
    default:
      body = `{${fields.join(",")}}\n`;
  }
  const secrets = ["SMSWebhooksSecret", "s3cr3t-with-ünïcödé", "🔑 key with spaces", "a", "x".repeat(200), "tab\tand=equals+plus/slash"];
  return {
    index,
    secret: `${pick(rand, secrets)}${index % 7 === 0 ? "" : index}`,
    nonce: `01${Array.from({ length: 24 }, () => pick(rand, CROCKFORD)).join("")}`,
    timestamp: 1_600_000_000 + Math.floor(rand() * 200_000_000),
    body,
  };
}

const rand = prng(0x5eed);
const CASES: OracleCase[] = Array.from({ length: 200 }, (_, i) => makeCase(i, rand));

describe("signHmac agrees with the official Sinch Node SDK", () => {
  it("generates 200 distinct cases with the intended variety", () => {
    expect(CASES).toHaveLength(200);
    expect(new Set(CASES.map((c) => c.body)).size).toBeGreaterThan(190);
    expect(CASES.some((c) => Buffer.byteLength(c.body, "utf8") > c.body.length)).toBe(true); // non-ASCII present
    expect(CASES.some((c) => c.body.includes("\\u"))).toBe(true);
    expect(CASES.some((c) => c.body.includes("\r\n"))).toBe(true);
    expect(CASES.some((c) => c.body.endsWith("\n"))).toBe(true);
    expect(CASES.some((c) => /[\u{1F300}-\u{1FAFF}]/u.test(c.body))).toBe(true);
  });

  it.each(CASES.map((c) => [c.index, c] as const))("case %i: same signature, and the SDK validates our headers", (_, c) => {
    const headers = signHmac({ secret: c.secret, body: c.body, nonce: c.nonce, timestamp: c.timestamp });

    const expected = calculateWebhookSignature(computeSignedData(c.body, c.nonce, String(c.timestamp)), c.secret);
    expect(headers[HMAC_HEADERS.signature]).toBe(expected);

    // The SDK gets the raw body string, never a Buffer (§7.3).
    expect(new SmsCallbackWebhooks(c.secret).validateAuthenticationHeader(headers, c.body)).toBe(true);

    // Our own verifier over the raw bytes agrees, at the signing time.
    const ours = verifyHmac({ secret: c.secret, body: Buffer.from(c.body, "utf8"), headers, nowMs: c.timestamp * 1000 });
    expect(ours).toEqual({ ok: true, signatureValid: true, problems: [] });
  });

  it("both reject the same tampering (one changed character, wrong secret)", () => {
    for (const c of CASES.slice(0, 40)) {
      const headers = signHmac({ secret: c.secret, body: c.body, nonce: c.nonce, timestamp: c.timestamp });
      const tampered = c.body.replace('"code":', '"code": ');
      const sdk = new SmsCallbackWebhooks(c.secret);
      expect(sdk.validateAuthenticationHeader(headers, tampered)).toBe(false);
      expect(verifyHmac({ secret: c.secret, body: tampered, headers, nowMs: c.timestamp * 1000 }).problems.map((p) => p.code)).toEqual(["bad_signature"]);

      expect(new SmsCallbackWebhooks(`${c.secret}!`).validateAuthenticationHeader(headers, c.body)).toBe(false);
      expect(verifyHmac({ secret: `${c.secret}!`, body: c.body, headers, nowMs: c.timestamp * 1000 }).signatureValid).toBe(false);
    }
  });

  it("oracle sanity: the SDK fails a Buffer body (the §7.3 quirk), so passing strings above matters", () => {
    const c = CASES[0]!;
    const headers = signHmac({ secret: c.secret, body: c.body, nonce: c.nonce, timestamp: c.timestamp });
    expect(new SmsCallbackWebhooks(c.secret).validateAuthenticationHeader(headers, Buffer.from(c.body))).toBe(false);
  });
});
