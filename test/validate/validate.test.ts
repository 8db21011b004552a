import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CALLBACK_TYPES } from "../../src/schemas/types.js";
import { MAX_ISSUES, validateCallback } from "../../src/validate/validate.js";

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}.json`, import.meta.url), "utf8")) as Record<string, unknown>;

const KNOWN = CALLBACK_TYPES.join(", ");
const pointersOf = (issues: { pointer: string; keyword: string }[]) => issues.map(({ pointer, keyword }) => ({ pointer, keyword }));

describe("validateCallback: timestamps (Decisions f)", () => {
  it.each([
    ["whole seconds", "2025-01-13T09:22:00Z"],
    ["milliseconds", "2024-06-06T07:52:37.386Z"],
    ["microseconds", "2024-06-06T07:52:37.386123Z"],
    ["an offset", "2025-01-13T10:22:00+01:00"],
    ["a negative offset with ms", "2025-01-13T04:22:00.5-05:00"],
    ["a leap day", "2024-02-29T00:00:00Z"],
  ])("accepts %s", (_label, value) => {
    expect(validateCallback({ ...fixture("mo_text"), received_at: value }).errors).toEqual([]);
    expect(validateCallback({ ...fixture("recipient_delivery_report_sms"), at: value, operator_status_at: value }).errors).toEqual([]);
  });

  it.each([
    ["month 13", "2025-13-01T09:22:00Z"],
    ["February 30", "2025-02-30T09:22:00Z"],
    ["a date without a time", "2025-01-13"],
    ["no time zone", "2025-01-13T09:22:00"],
    ["hour 24", "2025-01-13T24:00:00Z"],
    ["free text", "yesterday"],
    ["an empty string", ""],
    ["epoch milliseconds as text", "1736760120000"],
  ])("rejects %s", (_label, value) => {
    const result = validateCallback({ ...fixture("mo_text"), received_at: value });
    expect(result.ok).toBe(false);
    expect(pointersOf(result.errors)).toEqual([{ pointer: "/received_at", keyword: "format" }]);
    expect(result.errors[0]!.message).toBe(
      "/received_at must be an ISO-8601 date-time with a time zone, e.g. 2025-01-13T09:22:00Z or 2025-01-13T09:22:00.386Z",
    );
  });

  it("rejects a timestamp sent as a number", () => {
    const result = validateCallback({ ...fixture("recipient_delivery_report_sms"), at: 1736760120 });
    expect(result.errors).toEqual([{ pointer: "/at", keyword: "type", message: "/at must be a string (got number 1736760120)" }]);
  });
});

describe("validateCallback: phone numbers (Decisions f)", () => {
  it.each(["+15550100001", "15550100001", "+447700900123", "46701234567", "1", "123456789012345"])("accepts %s", (value) => {
    expect(validateCallback({ ...fixture("mo_text"), from: value }).errors).toEqual([]);
    expect(validateCallback({ ...fixture("recipient_delivery_report_sms"), recipient: value }).errors).toEqual([]);
  });

  it.each(["+1 555 010 0001", "+1-555-0100-001", "John", "+", "", "++15550100001", "1234567890123456"])("rejects %j", (value) => {
    const result = validateCallback({ ...fixture("mo_text"), from: value });
    expect(result.errors).toEqual([
      { pointer: "/from", keyword: "pattern", message: "/from must be a phone number: up to 15 digits with an optional leading +" },
    ]);
  });

  it("checks every number in a full report's recipients", () => {
    const report = fixture("delivery_report_sms.full") as { statuses: { recipients: string[] }[] };
    report.statuses[1]!.recipients = ["+15550100012", "not a number"];
    expect(pointersOf(validateCallback(report).errors)).toEqual([{ pointer: "/statuses/1/recipients/1", keyword: "pattern" }]);
  });

  it('does not constrain operator_id: the documented sample holds "string" (§2.6)', () => {
    const documented = {
      body: "This is a test message.",
      from: "16051234567",
      id: "01XXXXX21XXXXX119Z8P1XXXXX",
      operator_id: "string",
      received_at: "2022-08-24T14:15:22Z",
      sent_at: "2022-08-24T14:15:22Z",
      to: "13185551234",
      type: "mo_text",
    };
    expect(validateCallback(documented)).toEqual({ ok: true, type: "mo_text", knownType: true, errors: [], warnings: [] });
  });
});

describe("validateCallback: the reference examples (§2.6)", () => {
  it.each([
    '{"type":"mo_text","id":"01W4FFL35P4NC4K35SMSBATCH8","from":"12015555555","to":"12017777777","body":"Hello John! 👋","operator_id":"311071","received_at":"2024-06-06T07:52:37.386Z"}',
    '{"type":"mo_media","id":"01XXXXX21XXXXX119Z8P1XXXXX","from":"16051234567","to":"13185551234","body":{"subject":"s","message":"m","media":[{"url":"https://x/image.png","code":1,"content_type":"image/png","status":"Failed"}]},"received_at":"2024-01-10T08:49:58.429Z"}',
    '{"type":"delivery_report_sms","batch_id":"01W4FFL35P4NC4K35SMSBATCH8","client_reference":"client-ref","total_message_count":2,"statuses":[{"code":0,"count":2,"status":"Delivered","recipients":["12017777777","33612345678"]}]}',
    '{"type":"recipient_delivery_report_sms","batch_id":"01W4FFL35P4NC4K35SMSBATCH9","recipient":"12010000000","code":412,"status":"Aborted","client_reference":"client-ref","at":"2024-06-06T08:17:15.603Z"}',
    '{"type":"mo_binary","id":"01JFAKE0000000000000000009","from":"15550100001","to":"15550100099","body":"VGhpcyBpcyB0aGUgU01TIGJvZHk=","udh":"5573657244617461486561646572","received_at":"2025-01-13T09:22:00Z"}',
  ])("accepts %s", (line) => {
    const result = validateCallback(JSON.parse(line));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it("rejects the Java fixture's non-conformant mo_binary values (§2.2)", () => {
    const result = validateCallback({ ...fixture("mo_binary"), body: "a body", udh: "foo udh" });
    expect(result.errors).toEqual([
      { pointer: "/body", keyword: "pattern", message: "/body must be Base64 (A-Z, a-z, 0-9, +, / with = padding)" },
      { pointer: "/udh", keyword: "pattern", message: "/udh must be hex digits (an even number of 0-9, A-F)" },
    ]);
  });
});

describe("validateCallback: unknown fields and open enums warn, they do not fail", () => {
  it("warns about an unknown top-level field", () => {
    const result = validateCallback({ ...fixture("mo_text"), campaign: "spring" });
    expect(result.ok).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      { pointer: "/campaign", keyword: "additionalProperties", message: "/campaign is not a known mo_text field (allowed: Sinch may add fields)" },
    ]);
  });

  it("warns about unknown fields at every known object level, escaping the pointer", () => {
    const report = fixture("delivery_report_sms") as { statuses: Record<string, unknown>[] } & Record<string, unknown>;
    report.statuses[1]!["a/b~c"] = 1;
    const media = fixture("mo_media") as { body: { media: Record<string, unknown>[] } & Record<string, unknown> };
    media.body.media[0]!.width = 640;
    media.body.extra = true;
    expect(validateCallback(report).warnings).toEqual([
      {
        pointer: "/statuses/1/a~1b~0c",
        keyword: "additionalProperties",
        message: "/statuses/1/a~1b~0c is not a known MessageDeliveryStatus field (allowed: Sinch may add fields)",
      },
    ]);
    const mediaResult = validateCallback(media);
    expect(mediaResult.ok).toBe(true);
    expect(pointersOf(mediaResult.warnings)).toEqual([
      { pointer: "/body/media/0/width", keyword: "additionalProperties" },
      { pointer: "/body/extra", keyword: "additionalProperties" },
    ]);
  });

  it("does not look inside unknown fields, whatever they hold", () => {
    const result = validateCallback({ ...fixture("mo_text"), meta: { status: "Whatever", nested: { type: 1 } } });
    expect(pointersOf(result.warnings)).toEqual([{ pointer: "/meta", keyword: "additionalProperties" }]);
  });

  it.each([
    ["recipient_delivery_report_sms", "/status", { status: "Sent" }],
    ["recipient_delivery_report_mms", "/encoding", { encoding: "UCS2" }],
  ])("warns about an unknown %s value at %s", (name, pointer, patch) => {
    const result = validateCallback({ ...fixture(name), ...patch });
    expect(result.ok).toBe(true);
    expect(pointersOf(result.warnings)).toEqual([{ pointer, keyword: "x-open-enum" }]);
  });

  it("names the known statuses in the warning", () => {
    const report = fixture("delivery_report_sms") as { statuses: { status: string }[] };
    report.statuses[0]!.status = "DELIVERED";
    expect(validateCallback(report).warnings).toEqual([
      {
        pointer: "/statuses/0/status",
        keyword: "x-open-enum",
        message:
          '/statuses/0/status "DELIVERED" is not a known status value (known: Queued, Dispatched, Aborted, Cancelled, Rejected, Deleted, Delivered, Failed, Expired, Unknown); accepted because the list is open',
      },
    ]);
  });

  it("warns about an unknown MMS media status and code", () => {
    const media = fixture("mo_media") as { body: { media: Record<string, unknown>[] } };
    media.body.media[0]!.status = "Pending";
    media.body.media[0]!.code = 7;
    const result = validateCallback(media);
    expect(result.ok).toBe(true);
    expect(pointersOf(result.warnings)).toEqual([
      { pointer: "/body/media/0/status", keyword: "x-open-enum" },
      { pointer: "/body/media/0/code", keyword: "x-open-enum" },
    ]);
  });

  it.each([0, 401, 409, 418, 1234, 61])("accepts delivery code %i silently (open integer, §3.2)", (code) => {
    const result = validateCallback({ ...fixture("recipient_delivery_report_sms"), code });
    expect(result).toEqual({ ok: true, type: "recipient_delivery_report_sms", knownType: true, errors: [], warnings: [] });
  });
});

describe("validateCallback: dispatch on type", () => {
  it("names the unknown type and the known ones, as the single error", () => {
    expect(validateCallback({ type: "delivery_report", batch_id: 5 })).toEqual({
      ok: false,
      type: "delivery_report",
      knownType: false,
      errors: [{ pointer: "/type", keyword: "type", message: `unknown callback type "delivery_report" (known: ${KNOWN})` }],
      warnings: [],
    });
  });

  it("reports a missing type", () => {
    expect(validateCallback({ batch_id: "01JFAKEBATCH00000000000001" })).toEqual({
      ok: false,
      type: null,
      knownType: false,
      errors: [{ pointer: "/type", keyword: "required", message: `missing "type" (known: ${KNOWN})` }],
      warnings: [],
    });
  });

  it("lists the seven types in CALLBACK_TYPES order", () => {
    expect(KNOWN).toBe(
      "mo_text, mo_binary, mo_media, delivery_report_sms, delivery_report_mms, recipient_delivery_report_sms, recipient_delivery_report_mms",
    );
  });

  it("reports a type that is not a string", () => {
    const result = validateCallback({ type: 7 });
    expect(result.errors).toEqual([{ pointer: "/type", keyword: "type", message: `"type" must be a string (got number; known: ${KNOWN})` }]);
    expect(result.type).toBeNull();
  });

  it("treats an empty type as unknown, like the SDK", () => {
    expect(validateCallback({ type: "" }).errors[0]!.message).toBe(`unknown callback type "" (known: ${KNOWN})`);
  });

  it("shortens a very long unknown type in the message", () => {
    const message = validateCallback({ type: "x".repeat(10_000) }).errors[0]!.message;
    expect(message.length).toBeLessThan(300);
    expect(message).toContain(`"${"x".repeat(57)}..."`);
  });

  it.each([
    [[], "array"],
    [[{ type: "mo_text" }], "array"],
    [null, "null"],
    ["mo_text", "string"],
    [42, "number"],
    [true, "boolean"],
    [undefined, "undefined"],
  ])("rejects %j: payload must be a JSON object (got %s)", (payload, got) => {
    expect(validateCallback(payload)).toEqual({
      ok: false,
      type: null,
      knownType: false,
      errors: [{ pointer: "", keyword: "type", message: `payload must be a JSON object (got ${got})` }],
      warnings: [],
    });
  });

  it("reports every problem of a known type at once (allErrors)", () => {
    const result = validateCallback({ type: "delivery_report_sms", statuses: [{ code: "0", status: "Delivered", count: 0 }], total_message_count: -1 });
    expect(result.errors.map((e) => e.message)).toEqual([
      "/batch_id is required",
      '/statuses/0/code must be an integer (got string "0")',
      "/statuses/0/count must be >= 1",
      "/total_message_count must be >= 0",
    ]);
  });
});

describe("validateCallback: mo_text body length", () => {
  it("counts characters as code points: 2000 emoji pass, 2001 fail", () => {
    expect(validateCallback({ ...fixture("mo_text"), body: "👋".repeat(2000) }).ok).toBe(true);
    expect(validateCallback({ ...fixture("mo_text"), body: "a".repeat(2001) }).errors).toEqual([
      { pointer: "/body", keyword: "maxLength", message: "/body must be at most 2000 characters" },
    ]);
  });

  it("accepts an empty body (0 to 2000 characters)", () => {
    expect(validateCallback({ ...fixture("mo_text"), body: "" }).ok).toBe(true);
  });
});

const b64 = (bytes: number) => Buffer.alloc(bytes, 0xa5).toString("base64");
const udh6 = "050003A70201";

describe("validateCallback: mo_binary 140-byte limit (§2.2)", () => {
  it.each([
    ["134 + 6 bytes", b64(134), udh6, true],
    ["135 + 6 bytes", b64(135), udh6, false],
    ["140 + empty udh", b64(140), "", true],
    ["141 + empty udh", b64(141), "", false],
    ["139 (padding ==) + 1", b64(139), "00", true],
    ["138 (padding =) + 3", b64(138), "000000", false],
  ])("%s → ok=%s", (_label, body, udh, ok) => {
    const result = validateCallback({ ...fixture("mo_binary"), body, udh });
    expect(result.ok).toBe(ok);
    if (!ok) expect(pointersOf(result.errors)).toEqual([{ pointer: "/body", keyword: "maxBytes" }]);
  });

  it("says how many bytes it found", () => {
    const result = validateCallback({ ...fixture("mo_binary"), body: b64(135), udh: udh6 });
    expect(result.errors[0]!.message).toBe("/body and /udh must be at most 140 bytes together after decoding (got 141: body 135 + udh 6)");
  });

  it("skips the byte count when an encoding is already wrong", () => {
    const result = validateCallback({ ...fixture("mo_binary"), body: b64(300), udh: "xyz" });
    expect(pointersOf(result.errors)).toEqual([{ pointer: "/udh", keyword: "pattern" }]);
  });

  it("rejects an odd number of hex digits", () => {
    expect(pointersOf(validateCallback({ ...fixture("mo_binary"), udh: "050" }).errors)).toEqual([{ pointer: "/udh", keyword: "pattern" }]);
  });
});

describe("validateCallback: never throws, stays bounded", () => {
  it("handles a deeply nested unknown field", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const result = validateCallback({ ...fixture("mo_text"), deep });
    expect(result.ok).toBe(true);
    expect(pointersOf(result.warnings)).toEqual([{ pointer: "/deep", keyword: "additionalProperties" }]);
  });

  it("handles a deeply nested value where a string belongs", () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const result = validateCallback({ ...fixture("mo_text"), body: deep });
    expect(pointersOf(result.errors)).toEqual([{ pointer: "/body", keyword: "type" }]);
  });

  it("handles a cyclic object", () => {
    const payload: Record<string, unknown> = { ...fixture("mo_media") };
    payload.self = payload;
    (payload.body as Record<string, unknown>).loop = payload;
    expect(() => validateCallback(payload)).not.toThrow();
    expect(validateCallback(payload).ok).toBe(true);
  });

  it("handles a huge valid recipients list quickly", () => {
    const recipients = Array.from({ length: 200_000 }, (_, i) => `+1555${String(i).padStart(7, "0")}`);
    const report = { type: "delivery_report_sms", batch_id: "01JFAKEBATCH00000000000001", total_message_count: recipients.length, statuses: [{ code: 0, status: "Delivered", count: recipients.length, recipients }] };
    const started = performance.now();
    expect(validateCallback(report)).toMatchObject({ ok: true, errors: [], warnings: [] });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("caps the number of errors and says so", () => {
    const recipients = Array.from({ length: 50_000 }, (_, i) => `bad-${i}`);
    const result = validateCallback({ type: "delivery_report_sms", batch_id: "b", total_message_count: 1, statuses: [{ code: 0, status: "Delivered", count: 1, recipients }] });
    expect(result.errors).toHaveLength(MAX_ISSUES + 1);
    expect(result.errors.at(-1)).toEqual({ pointer: "", keyword: "truncated", message: `more problems not shown (only the first ${MAX_ISSUES} are listed)` });
  });

  it("caps the number of warnings and says so", () => {
    const payload: Record<string, unknown> = { ...fixture("mo_text") };
    for (let i = 0; i < 10_000; i++) payload[`extra_${i}`] = i;
    const result = validateCallback(payload);
    expect(result.ok).toBe(true);
    expect(result.warnings).toHaveLength(MAX_ISSUES + 1);
    expect(result.warnings.at(-1)!.keyword).toBe("truncated");
  });

  it("handles a 10 MB body", () => {
    const result = validateCallback({ ...fixture("mo_binary"), body: "QUFB".repeat(2_500_000) });
    expect(pointersOf(result.errors)).toEqual([{ pointer: "/body", keyword: "maxBytes" }]);
  });

  it("handles multi-megabyte strings in every field without a regex stack overflow", () => {
    const huge = "00".repeat(2_500_000);
    for (const name of ["mo_text", "mo_binary", "mo_media", "delivery_report_sms.full", "recipient_delivery_report_sms"]) {
      const base = fixture(name);
      for (const key of Object.keys(base)) {
        if (typeof base[key] !== "string" || key === "type") continue;
        const result = validateCallback({ ...base, [key]: huge });
        expect(result.errors.filter((e) => e.keyword === "internal"), `${name} ${key}`).toEqual([]);
      }
    }
    const media = fixture("mo_media") as { body: { media: Record<string, unknown>[] } };
    media.body.media[0]!.content_type = `image/png; name=${"a".repeat(5_000_000)}`;
    expect(validateCallback(media).errors).toEqual([]);
  });

  it("turns a throwing getter or proxy into an error instead of throwing", () => {
    const getter = Object.defineProperty({ ...fixture("mo_text") }, "body", {
      enumerable: true,
      get() {
        throw new Error("boom");
      },
    });
    const proxy = new Proxy(fixture("mo_text"), {
      ownKeys() {
        throw new Error("no keys");
      },
    });
    for (const payload of [getter, proxy]) {
      const result = validateCallback(payload);
      expect(result.ok).toBe(false);
      expect(result.errors[0]!.keyword).toBe("internal");
    }
    expect(validateCallback(getter).errors[0]!.message).toBe("payload could not be validated: boom");
  });

  it("ignores inherited properties: only the payload's own fields count", () => {
    const payload = Object.create({ type: "mo_text" }) as Record<string, unknown>;
    expect(validateCallback(payload).errors[0]!.keyword).toBe("required");
  });
});

describe("validateCallback: speed", () => {
  it("validates tens of thousands of callbacks per second", () => {
    const payloads = ["mo_text", "delivery_report_sms.full", "recipient_delivery_report_sms", "mo_media"].map(fixture);
    for (const p of payloads) validateCallback(p); // compile outside the timed loop
    const rounds = 20_000;
    const started = performance.now();
    for (let i = 0; i < rounds; i++) validateCallback(payloads[i % payloads.length]);
    const perSecond = rounds / ((performance.now() - started) / 1000);
    expect(perSecond).toBeGreaterThan(20_000);
  });
});
