import { describe, expect, it } from "vitest";
import { redactPayload, renderCallbackDetail, summarizeCallback } from "../../src/render/callback.js";
import { createTheme } from "../../src/render/theme.js";

const plain = createTheme(false);
const color = createTheme(true);

// Shapes from the official SDK fixtures (reference §2.6), plus the fields §2.1–2.5 allow.
const moText = {
  type: "mo_text",
  id: "01W4FFL35P4NC4K35SMSBATCH8",
  from: "12015555555",
  to: "12017777777",
  body: "Hello John! 👋",
  operator_id: "311071",
  received_at: "2024-06-06T07:52:37.386Z",
};

const moBinary = {
  type: "mo_binary",
  id: "01W4FFL35P4NC4K35SMSBINARY",
  from: "+15550100001",
  to: "+15550100002",
  body: "VGhpcyBpcyB0aGUgU01TIGJvZHk=",
  udh: "050003010201",
  received_at: "2024-06-06T07:52:37Z",
};

const moMedia = {
  type: "mo_media",
  id: "01XXXXX21XXXXX119Z8P1XXXXX",
  from: "16051234567",
  to: "13185551234",
  body: {
    subject: "Holiday",
    message: "Look at this",
    media: [
      { url: "https://media.example.com/bucket/01XXXX/image.png?sig=secret", code: 0, content_type: "image/png", status: "Uploaded" },
      { url: "https://media.example.com/bucket/01XXXX/clip.mp4", code: 1, content_type: "video/mp4", status: "Failed" },
    ],
  },
  received_at: "2024-01-10T08:49:58.429Z",
};

const fullReportSms = {
  type: "delivery_report_sms",
  batch_id: "01W4FFL35P4NC4K35SMSBATCH8",
  client_reference: "client-ref",
  total_message_count: 2,
  statuses: [{ code: 0, count: 2, status: "Delivered", recipients: ["12017777777", "33612345678"] }],
};

const summaryReportMms = {
  type: "delivery_report_mms",
  batch_id: "01W4FFL35P4NC4K35MMSBATCH1",
  total_message_count: 6,
  statuses: [
    { code: 0, count: 2, status: "Delivered" },
    { code: 412, count: 1, status: "Aborted" },
    { code: 401, count: 1, status: "Dispatched" },
    { code: 34, count: 1, status: "Failed" },
    { code: 0, count: 1, status: "Unknown" },
  ],
};

const recipientSms = {
  type: "recipient_delivery_report_sms",
  batch_id: "01W4FFL35P4NC4K35SMSBATCH9",
  recipient: "+12010000000",
  code: 412,
  status: "Aborted",
  client_reference: "client-ref",
  at: "2024-06-06T08:17:15.603Z",
};

const recipientMms = {
  type: "recipient_delivery_report_mms",
  batch_id: "01W4FFL35P4NC4K35MMSBATCH1",
  recipient: "13185551234",
  code: 415,
  status: "Failed",
  at: "2024-06-06T08:17:15Z",
  operator_status_at: "2024-06-06T08:17:14Z",
  applied_originator: "+15550100009",
  encoding: "UNICODE",
  number_of_message_parts: 1,
};

// True when a raw C0/C1 control character (ESC, BEL, CSI…) is present.
const hasControl = (s: string) => [...s].some((c) => {
  const n = c.codePointAt(0) ?? 0;
  return n < 0x20 || (n >= 0x7f && n < 0xa0);
});
const ESC = "\u001b";

describe("summarizeCallback: the seven types", () => {
  it("mo_text: from → to, quoted body, full id", () => {
    expect(summarizeCallback(moText, plain)).toBe(
      '12015555555 → 12017777777 "Hello John! 👋" id 01W4FFL35P4NC4K35SMSBATCH8',
    );
  });

  it("mo_binary: byte count and UDH prefix instead of the content", () => {
    expect(summarizeCallback(moBinary, plain)).toBe(
      "+15550100001 → +15550100002 binary 20 bytes, udh 05000301… id 01W4FFL35P4NC4K35SMSBINARY",
    );
  });

  it("mo_binary: says so when the body is not Base64 (the Java fixture's values)", () => {
    expect(summarizeCallback({ ...moBinary, body: "a body", udh: "foo udh" }, plain)).toBe(
      "+15550100001 → +15550100002 binary body not Base64 (6 chars), udh foo udh id 01W4FFL35P4NC4K35SMSBINARY",
    );
    expect(summarizeCallback({ ...moBinary, body: "QQ==", udh: undefined }, plain)).toBe(
      "+15550100001 → +15550100002 binary 1 byte, no udh id 01W4FFL35P4NC4K35SMSBINARY",
    );
  });

  it("mo_media: subject, message and each attachment's type and upload status", () => {
    expect(summarizeCallback(moMedia, plain)).toBe(
      '16051234567 → 13185551234 subject "Holiday" "Look at this" 2 media (image/png uploaded, video/mp4 failed) id 01XXXXX21XXXXX119Z8P1XXXXX',
    );
  });

  it("mo_media: the §2.6 fixture, and bodies with parts missing", () => {
    const fixture = {
      type: "mo_media",
      id: "01XXXXX21XXXXX119Z8P1XXXXX",
      from: "16051234567",
      to: "13185551234",
      body: { subject: "s", message: "m", media: [{ url: "https://x/image.png", code: 1, content_type: "image/png", status: "Failed" }] },
      received_at: "2024-01-10T08:49:58.429Z",
    };
    expect(summarizeCallback(fixture, plain)).toBe(
      '16051234567 → 13185551234 subject "s" "m" 1 media (image/png failed) id 01XXXXX21XXXXX119Z8P1XXXXX',
    );
    expect(summarizeCallback({ ...fixture, body: {} }, plain)).toBe(
      "16051234567 → 13185551234 (empty MMS body) id 01XXXXX21XXXXX119Z8P1XXXXX",
    );
    const many = Array.from({ length: 6 }, () => ({ content_type: "image/jpeg", status: "Uploaded", code: 0 }));
    expect(summarizeCallback({ ...fixture, body: { media: many } }, plain)).toBe(
      "16051234567 → 13185551234 6 media (image/jpeg uploaded, image/jpeg uploaded, image/jpeg uploaded, image/jpeg uploaded, +2 more) id 01XXXXX21XXXXX119Z8P1XXXXX",
    );
  });

  it("delivery_report_sms (full): counts per status and how many recipients are listed", () => {
    expect(summarizeCallback(fullReportSms, plain)).toBe(
      "batch 01W4FFL35P4NC4K35SMSBATCH8 total 2 · Delivered 2 (2 recipients listed)",
    );
  });

  it("delivery_report_mms (summary): codes shown only when they add something", () => {
    expect(summarizeCallback(summaryReportMms, plain)).toBe(
      "batch 01W4FFL35P4NC4K35MMSBATCH1 total 6 · Delivered 2 · Aborted 1 (412 Unprovisioned region) · Dispatched 1 · Failed 1 (code 34) · Unknown 1 (0 No error)",
    );
  });

  it("recipient_delivery_report_sms: recipient, status, code meaning, batch and time", () => {
    expect(summarizeCallback(recipientSms, plain)).toBe(
      "+12010000000 Aborted 412 Unprovisioned region (batch 01W4FFL35P4NC4K35SMSBATCH9) at 2024-06-06T08:17:15.603Z",
    );
  });

  it("recipient_delivery_report_mms: an MMS code whose status mapping is unconfirmed", () => {
    expect(summarizeCallback(recipientMms, plain)).toBe(
      "13185551234 Failed 415 Delivery report Rejected (batch 01W4FFL35P4NC4K35MMSBATCH1) at 2024-06-06T08:17:15Z",
    );
  });

  it("recipient reports: codes outside Sinch's table, and statuses that contradict a documented code", () => {
    expect(summarizeCallback({ ...recipientSms, code: 34, status: "Failed" }, plain)).toBe(
      "+12010000000 Failed SMPP/MMS code 34 (not in Sinch's table) (batch 01W4FFL35P4NC4K35SMSBATCH9) at 2024-06-06T08:17:15.603Z",
    );
    expect(summarizeCallback({ ...recipientSms, code: 412, status: "Delivered" }, plain)).toBe(
      "+12010000000 Delivered 412 Unprovisioned region (usually Aborted) (batch 01W4FFL35P4NC4K35SMSBATCH9) at 2024-06-06T08:17:15.603Z",
    );
    expect(summarizeCallback({ ...recipientSms, code: 0, status: "Delivered" }, plain)).toBe(
      "+12010000000 Delivered (batch 01W4FFL35P4NC4K35SMSBATCH9) at 2024-06-06T08:17:15.603Z",
    );
    expect(summarizeCallback({ ...recipientSms, code: 401, status: "Dispatched" }, plain)).toBe(
      "+12010000000 Dispatched (batch 01W4FFL35P4NC4K35SMSBATCH9) at 2024-06-06T08:17:15.603Z",
    );
    expect(summarizeCallback({ ...recipientSms, code: 0, status: "Unknown" }, plain)).toBe(
      "+12010000000 Unknown 0 No error (batch 01W4FFL35P4NC4K35SMSBATCH9) at 2024-06-06T08:17:15.603Z",
    );
  });

  it("returns exactly one line with no trailing newline", () => {
    for (const p of [moText, moBinary, moMedia, fullReportSms, summaryReportMms, recipientSms, recipientMms]) {
      const line = summarizeCallback(p, color);
      expect(line).not.toMatch(/[\r\n]/);
      expect(line.length).toBeGreaterThan(20);
    }
  });
});

describe("summarizeCallback: body text", () => {
  it("truncates to maxBodyChars (default 60) without splitting emoji", () => {
    const body = "👋".repeat(70);
    expect(summarizeCallback({ ...moText, body }, plain)).toBe(
      `12015555555 → 12017777777 "${"👋".repeat(59)}…" id 01W4FFL35P4NC4K35SMSBATCH8`,
    );
    expect(summarizeCallback({ ...moText, body: "Hello there, John" }, plain, { maxBodyChars: 6 })).toBe(
      '12015555555 → 12017777777 "Hello…" id 01W4FFL35P4NC4K35SMSBATCH8',
    );
  });

  it("keeps a multi-line body on one line and defuses escape sequences", () => {
    const body = `line 1\nline 2\r\n${ESC}[2J${ESC}[31mfake ✓ 200 OK`;
    const line = summarizeCallback({ ...moText, body }, plain);
    expect(line).toBe(
      '12015555555 → 12017777777 "line 1⏎line 2⏎\\x1b[2J\\x1b[31mfake ✓ 200 OK" id 01W4FFL35P4NC4K35SMSBATCH8',
    );
    expect(line).not.toContain(ESC);
  });

  it("defuses escape sequences in every field it prints, not only the body", () => {
    const evil = `${ESC}]0;pwned\u0007\n`;
    const payloads = [
      { ...moText, from: evil, to: evil, id: evil },
      { ...moBinary, udh: evil },
      { ...moMedia, body: { subject: evil, message: evil, media: [{ content_type: evil, status: evil }] } },
      { ...fullReportSms, batch_id: evil, statuses: [{ status: evil, count: evil, code: 0 }] },
      { ...recipientSms, recipient: evil, status: evil, batch_id: evil, at: evil },
      { type: evil },
    ];
    for (const p of payloads) {
      const line = summarizeCallback(p, plain);
      expect(hasControl(line)).toBe(false);
      expect(line).toContain("\\x1b]0;p");
    }
  });
});

describe("summarizeCallback: colour", () => {
  it("colours Delivered green and failures red", () => {
    const line = summarizeCallback(
      { ...summaryReportMms, statuses: [{ code: 0, count: 1, status: "Delivered" }, { code: 34, count: 1, status: "Failed" }] },
      color,
    );
    expect(line).toContain(`${ESC}[32mDelivered${ESC}[39m 1`);
    expect(line).toContain(`${ESC}[31mFailed${ESC}[39m 1`);
    expect(summarizeCallback(recipientSms, color)).toContain(`${ESC}[31mAborted${ESC}[39m`);
  });

  it("colours pending statuses yellow, Unknown grey and statuses Sinch does not send magenta", () => {
    expect(summarizeCallback({ ...recipientSms, status: "Queued", code: 400 }, color)).toContain(`${ESC}[33mQueued${ESC}[39m`);
    expect(summarizeCallback({ ...recipientSms, status: "DELIVERED", code: 0 }, color)).toContain(`${ESC}[35mDELIVERED${ESC}[39m`);
    expect(summarizeCallback({ ...recipientSms, status: "Unknown", code: 0 }, color)).toContain(`${ESC}[90mUnknown${ESC}[39m`);
  });

  it("adds no escape codes at all with a colourless theme", () => {
    for (const p of [moText, moBinary, moMedia, fullReportSms, summaryReportMms, recipientSms, recipientMms]) {
      expect(summarizeCallback(p, plain, { redact: true })).not.toContain(ESC);
      expect(renderCallbackDetail(p, plain)).not.toContain(ESC);
    }
  });
});

describe("summarizeCallback: redaction", () => {
  it("masks phone numbers and message text of inbound messages", () => {
    expect(summarizeCallback(moText, plain, { redact: true })).toBe(
      "1201•••••55 → 1201•••••77 [redacted 13 chars] id 01W4FFL35P4NC4K35SMSBATCH8",
    );
    expect(summarizeCallback(moMedia, plain, { redact: true })).toBe(
      "1605•••••67 → 1318•••••34 subject [redacted 7 chars] [redacted 12 chars] 2 media (image/png uploaded, video/mp4 failed) id 01XXXXX21XXXXX119Z8P1XXXXX",
    );
    expect(summarizeCallback(moBinary, plain, { redact: true })).toBe(
      "+1555•••••01 → +1555•••••02 binary 20 bytes, udh 05000301… id 01W4FFL35P4NC4K35SMSBINARY",
    );
  });

  it("masks the recipient of a recipient report", () => {
    expect(summarizeCallback(recipientSms, plain, { redact: true })).toBe(
      "+1201•••••00 Aborted 412 Unprovisioned region (batch 01W4FFL35P4NC4K35SMSBATCH9) at 2024-06-06T08:17:15.603Z",
    );
  });

  it("shows no phone number or text from the payload anywhere", () => {
    const secrets = /12015555555|12017777777|15550100001|15550100002|16051234567|13185551234|12010000000|15550100009|33612345678|Hello|Holiday|Look at|image\.png/;
    for (const p of [moText, moBinary, moMedia, fullReportSms, recipientSms, recipientMms]) {
      expect(summarizeCallback(p, plain, { redact: true })).not.toMatch(secrets);
      expect(renderCallbackDetail(p, plain, { redact: true })).not.toMatch(secrets);
    }
  });
});

describe("summarizeCallback: invalid payloads", () => {
  it("describes non-objects and unknown or missing types", () => {
    expect(summarizeCallback(null, plain)).toBe("not a JSON object (null)");
    expect(summarizeCallback(42, plain)).toBe("not a JSON object (number)");
    expect(summarizeCallback("mo_text", plain)).toBe("not a JSON object (string)");
    expect(summarizeCallback([], plain)).toBe("not a JSON object (array)");
    expect(summarizeCallback(undefined, plain)).toBe("not a JSON object (undefined)");
    expect(summarizeCallback({}, plain)).toBe('no "type" field');
    expect(summarizeCallback({ type: 5 }, plain)).toBe('"type" is number, not a string');
    expect(summarizeCallback({ type: null }, plain)).toBe('"type" is null, not a string');
    expect(summarizeCallback({ type: "foo" }, plain)).toBe('unknown type "foo"');
    expect(summarizeCallback({ type: "MO_TEXT" }, plain)).toBe('unknown type "MO_TEXT"');
    expect(summarizeCallback({ type: "x".repeat(100) }, plain)).toBe(`unknown type "${"x".repeat(39)}…"`);
  });

  it("describes known types with missing or mistyped fields field by field", () => {
    expect(summarizeCallback({ type: "mo_text", body: {} }, plain)).toBe("? → ? (body is object) id ?");
    expect(summarizeCallback({ type: "mo_text" }, plain)).toBe("? → ? (no body) id ?");
    expect(summarizeCallback({ type: "mo_text", from: 15550100001, to: null, body: "", id: ["x"] }, plain)).toBe(
      '15550100001 → null "" id […]',
    );
    expect(summarizeCallback({ type: "mo_binary", body: 5 }, plain)).toBe("? → ? binary (body is number), no udh id ?");
    expect(summarizeCallback({ type: "mo_media", body: "text" }, plain)).toBe("? → ? (body is string) id ?");
    expect(summarizeCallback({ type: "mo_media", body: { subject: 1, media: "x" } }, plain)).toBe(
      "? → ? subject is number media is string id ?",
    );
    expect(summarizeCallback({ type: "mo_media", body: { media: [null, 7, {}] } }, plain)).toBe(
      "? → ? 3 media (?, ?, ? ?) id ?",
    );
    expect(summarizeCallback({ type: "delivery_report_sms", statuses: "x" }, plain)).toBe(
      "batch ? total ? · statuses is string",
    );
    expect(summarizeCallback({ type: "delivery_report_sms" }, plain)).toBe("batch ? total ? · statuses missing");
    expect(summarizeCallback({ type: "delivery_report_mms", batch_id: "b", total_message_count: 0, statuses: [] }, plain)).toBe(
      "batch b total 0 · no statuses",
    );
    expect(
      summarizeCallback({ type: "delivery_report_sms", statuses: [null, { status: 1, count: "2", code: "0" }, { recipients: "x" }] }, plain),
    ).toBe('batch ? total ? · ? · 1 2 (code is string) · ? ?');
    expect(summarizeCallback({ type: "recipient_delivery_report_sms" }, plain)).toBe("? ? code ? (batch ?) at ?");
    expect(summarizeCallback({ type: "recipient_delivery_report_mms", code: "412", status: {} }, plain)).toBe(
      "? {…} (code is string) (batch ?) at ?",
    );
  });

  it("lists at most eight status entries", () => {
    const statuses = Array.from({ length: 10 }, () => ({ code: 0, count: 1, status: "Delivered", recipients: ["1"] }));
    expect(summarizeCallback({ ...fullReportSms, total_message_count: 10, statuses }, plain)).toBe(
      `batch 01W4FFL35P4NC4K35SMSBATCH8 total 10${" · Delivered 1".repeat(8)} · +2 more (10 recipients listed)`,
    );
  });

  it("never throws, whatever it is given", () => {
    let deep: unknown = { type: "mo_text" };
    for (let i = 0; i < 100_000; i++) deep = { type: "mo_media", body: deep, statuses: [deep] };
    const cyclic: Record<string, unknown> = { type: "delivery_report_sms" };
    cyclic.statuses = [cyclic];
    cyclic.batch_id = cyclic;
    const throwing = Object.defineProperty({}, "type", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    const odd: unknown[] = [
      null,
      undefined,
      42,
      Number.NaN,
      "",
      "text",
      true,
      [],
      [moText],
      {},
      { type: 5 },
      { type: "" },
      { type: "mo_text", body: {} },
      { type: "mo_binary", body: null, udh: 7 },
      { type: "mo_media", body: { media: [[], "x", { status: 1 }] } },
      { type: "delivery_report_sms", statuses: "x" },
      { type: "delivery_report_sms", statuses: [[], 1, { recipients: {} }] },
      { type: "recipient_delivery_report_sms", code: Number.POSITIVE_INFINITY, status: [] },
      JSON.parse('{"type":"mo_text","__proto__":{"body":"polluted"}}'),
      Object.create(null),
      Object.assign(Object.create({ type: "mo_text", body: "inherited" }), {}),
      new Date(0),
      () => 1,
      Symbol("s"),
      10n,
      deep,
      cyclic,
      throwing,
      new Proxy({}, { ownKeys: () => { throw new Error("no"); }, getOwnPropertyDescriptor: () => { throw new Error("no"); } }),
    ];
    for (const p of odd) {
      for (const opts of [undefined, { redact: true }, { maxBodyChars: 0 }, { maxBodyChars: Number.NaN }]) {
        let line = "";
        expect(() => (line = summarizeCallback(p, plain, opts))).not.toThrow();
        expect(line).not.toMatch(/\n/);
        expect(line.length).toBeGreaterThan(0);
        expect(() => renderCallbackDetail(p, plain, opts)).not.toThrow();
        expect(() => redactPayload(p)).not.toThrow();
      }
    }
  });

  it("reads only own fields, never inherited ones", () => {
    expect(summarizeCallback(Object.create({ type: "mo_text", body: "inherited" }), plain)).toBe('no "type" field');
    expect(summarizeCallback(JSON.parse('{"type":"mo_text","__proto__":{"body":"polluted"}}'), plain)).toBe(
      "? → ? (no body) id ?",
    );
  });

  it("says so instead of throwing when a property read throws", () => {
    const throwing = Object.defineProperty({}, "type", {
      get() {
        throw new Error("boom");
      },
    });
    expect(summarizeCallback(throwing, plain)).toBe("(payload could not be summarised)");
  });
});

describe("renderCallbackDetail", () => {
  it("prints pretty JSON with two-space indent", () => {
    expect(renderCallbackDetail(recipientSms, plain)).toBe(
      [
        "{",
        '  "type": "recipient_delivery_report_sms",',
        '  "batch_id": "01W4FFL35P4NC4K35SMSBATCH9",',
        '  "recipient": "+12010000000",',
        '  "code": 412,',
        '  "status": "Aborted",',
        '  "client_reference": "client-ref",',
        '  "at": "2024-06-06T08:17:15.603Z"',
        "}",
      ].join("\n"),
    );
  });

  it("matches JSON.stringify(x, null, 2) for JSON data when colour is off", () => {
    for (const p of [moText, moBinary, moMedia, fullReportSms, summaryReportMms, recipientSms, recipientMms, [], {}, [1, [2, {}]], "s", 0, null, true]) {
      expect(renderCallbackDetail(p, plain)).toBe(JSON.stringify(p, null, 2));
    }
  });

  it("colours keys, strings and numbers", () => {
    const out = renderCallbackDetail({ code: 412, status: "Aborted", ok: true }, color);
    expect(out).toContain(`${ESC}[36m"code"${ESC}[39m: ${ESC}[33m412${ESC}[39m`);
    expect(out).toContain(`${ESC}[36m"status"${ESC}[39m: ${ESC}[32m"Aborted"${ESC}[39m`);
    expect(out).toContain(`${ESC}[35mtrue${ESC}[39m`);
  });

  it("escapes control characters in keys and strings, so the payload cannot drive the terminal", () => {
    const out = renderCallbackDetail({ [`k${ESC}[2J`]: `v${ESC}[31m\u009b\u202e\u2028` }, plain);
    expect(out).toBe('{\n  "k\\u001b[2J": "v\\u001b[31m\\u009b\\u202e\\u2028"\n}');
    expect(JSON.parse(out)).toEqual({ [`k${ESC}[2J`]: `v${ESC}[31m\u009b\u202e\u2028` });
  });

  it("stops at cycles and very deep nesting instead of overflowing", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(renderCallbackDetail(cyclic, plain)).toBe('{\n  "a": 1,\n  "self": [Circular]\n}');
    let deep: unknown = [];
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const out = renderCallbackDetail(deep, plain);
    expect(out).toContain("[…]");
    expect(out.split("\n").length).toBeLessThan(200);
  });

  it("prints an object shared between branches once, so built-up structures stay linear", () => {
    const shared = { a: 1 };
    expect(renderCallbackDetail({ x: shared, y: shared }, plain)).toBe(
      '{\n  "x": {\n    "a": 1\n  },\n  "y": [Repeated]\n}',
    );
    let dag: unknown = {};
    for (let i = 0; i < 60; i++) dag = { l: dag, r: dag };
    expect(renderCallbackDetail(dag, plain).split("\n").length).toBeLessThan(200);
  });

  it("follows JSON for values JSON cannot hold", () => {
    expect(renderCallbackDetail({ a: undefined, b: () => 1, c: Number.NaN, d: [undefined], e: new Date(0) }, plain)).toBe(
      '{\n  "c": null,\n  "d": [\n    null\n  ],\n  "e": "1970-01-01T00:00:00.000Z"\n}',
    );
  });

  it("redacts a copy when asked, leaving the input untouched", () => {
    const input = structuredClone(moText);
    const out = renderCallbackDetail(input, plain, { redact: true });
    expect(out).toContain('"from": "1201•••••55"');
    expect(out).toContain('"body": "[redacted 13 chars]"');
    expect(out).not.toContain("Hello");
    expect(input).toEqual(moText);
  });
});

describe("redactPayload", () => {
  it("mo_text: masks from, to and body; keeps ids and times", () => {
    expect(redactPayload(moText)).toEqual({
      ...moText,
      from: "1201•••••55",
      to: "1201•••••77",
      body: "[redacted 13 chars]",
    });
  });

  it("mo_binary: zeroes the Base64 body, keeping its length and validity, and keeps the UDH", () => {
    const out = redactPayload(moBinary) as Record<string, unknown>;
    expect(out).toEqual({ ...moBinary, from: "+1555•••••01", to: "+1555•••••02", body: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" });
    expect(Buffer.from(out.body as string, "base64")).toEqual(Buffer.alloc(20));
    expect(redactPayload({ ...moBinary, body: "a body" })).toMatchObject({ body: "[redacted 6 chars]" });
  });

  it("mo_media: masks subject, message and URLs; keeps media type, status and code", () => {
    expect(redactPayload(moMedia)).toEqual({
      ...moMedia,
      from: "1605•••••67",
      to: "1318•••••34",
      body: {
        subject: "[redacted 7 chars]",
        message: "[redacted 12 chars]",
        media: [
          { url: "https://media.example.com/redacted", code: 0, content_type: "image/png", status: "Uploaded" },
          { url: "https://media.example.com/redacted", code: 1, content_type: "video/mp4", status: "Failed" },
        ],
      },
    });
  });

  it("mo_media: masks unexpected body fields and non-HTTP URLs too", () => {
    const out = redactPayload({
      type: "mo_media",
      body: { text: "secret", extra: { nested: "secret" }, media: [{ url: "not a url", content_type: "x/y", caption: "secret" }, "secret"] },
    });
    expect(out).toEqual({
      type: "mo_media",
      body: {
        text: "[redacted 6 chars]",
        extra: "[redacted object]",
        media: [{ url: "[redacted 9 chars]", content_type: "x/y", caption: "[redacted 6 chars]" }, "[redacted 6 chars]"],
      },
    });
  });

  it("batch reports: masks every listed recipient; summary reports are unchanged", () => {
    expect(redactPayload(fullReportSms)).toEqual({
      ...fullReportSms,
      statuses: [{ code: 0, count: 2, status: "Delivered", recipients: ["1201•••••77", "3361•••••78"] }],
    });
    expect(redactPayload(summaryReportMms)).toEqual(summaryReportMms);
  });

  it("recipient reports: masks recipient and applied_originator", () => {
    expect(redactPayload(recipientMms)).toEqual({
      ...recipientMms,
      recipient: "1318•••••34",
      applied_originator: "+1555•••••09",
    });
  });

  it("masks phone fields even in payloads with the wrong types or an unknown type", () => {
    expect(
      redactPayload({ type: "foo", from: 15550100001, to: { n: "15550100002" }, recipients: ["15550100003", 7], body: ["secret"] }),
    ).toEqual({
      type: "foo",
      from: "1555•••••01",
      to: "[redacted object]",
      recipients: ["1555•••••03", "•"],
      body: "[redacted array]",
    });
  });

  it("redacts every callback in an array and leaves other values alone", () => {
    expect(redactPayload([moText, 5, null])).toEqual([redactPayload(moText), 5, null]);
    for (const v of [null, undefined, 42, "15550100001", true]) expect(redactPayload(v)).toBe(v);
  });

  it("returns a deep copy and never mutates its input", () => {
    const input = structuredClone(moMedia);
    const out = redactPayload(input) as typeof moMedia;
    expect(input).toEqual(moMedia);
    expect(out).not.toBe(input);
    expect(out.body).not.toBe(input.body);
    expect(out.body.media[0]).not.toBe(input.body.media[0]);
    const plainCopy = redactPayload({ type: "delivery_report_sms", statuses: [{ count: 1 }], extra: { a: [1] } }) as {
      extra: { a: number[] };
    };
    plainCopy.extra.a.push(2);
  });

  it("copies an own __proto__ key as data without touching the prototype", () => {
    const input = JSON.parse('{"type":"mo_text","__proto__":{"from":"15550100001"},"body":"hi"}') as object;
    const out = redactPayload(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(out.from).toBeUndefined();
    expect(out.body).toBe("[redacted 2 chars]");
  });

  it("copies very deep and cyclic structures without overflowing", () => {
    let deep: unknown = { from: "15550100001" };
    for (let i = 0; i < 100_000; i++) deep = { x: deep };
    expect(() => redactPayload(deep)).not.toThrow();
    const cyclic: Record<string, unknown> = { type: "mo_text", from: "15550100001" };
    cyclic.self = cyclic;
    const out = redactPayload(cyclic) as Record<string, unknown>;
    expect(out.self).toBe(out);
    expect(out.from).toBe("1555•••••01");
    expect(cyclic.from).toBe("15550100001");
  });

  it("keeps revived Date objects as dates", () => {
    const at = new Date("2024-06-06T08:17:15.603Z");
    const out = redactPayload({ ...recipientSms, at }) as Record<string, unknown>;
    expect(out.at).toEqual(at);
    expect(out.at).not.toBe(at);
  });
});
