import { describe, expect, it } from "vitest";
import { basicAuthorization, checkBasic, parseBasicAuthorization } from "../../src/sign/basic.js";

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

describe("basicAuthorization (RFC 7617)", () => {
  it("matches the RFC 7617 §2 example", () => {
    expect(basicAuthorization("Aladdin", "open sesame")).toBe("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  });

  it("encodes non-ASCII credentials as UTF-8 (RFC 7617 §2.1 example)", () => {
    // "test" / "123£" → dGVzdDoxMjPCow== in the RFC (the £ is C2 A3 in UTF-8).
    expect(basicAuthorization("test", "123£")).toBe("Basic dGVzdDoxMjPCow==");
  });

  it("keeps colons in the password, refuses them in the user name", () => {
    expect(basicAuthorization("sinch", "a:b:c")).toBe(`Basic ${b64("sinch:a:b:c")}`);
    expect(() => basicAuthorization("us:er", "pw")).toThrow(RangeError);
  });

  it("allows an empty password", () => {
    expect(basicAuthorization("sinch", "")).toBe(`Basic ${b64("sinch:")}`);
  });
});

describe("parseBasicAuthorization", () => {
  it("round-trips basicAuthorization", () => {
    for (const [user, password] of [
      ["Aladdin", "open sesame"],
      ["sinch", "p:a:s:s"],
      ["ünïcödé", "🔑"],
      ["", ""],
    ] as const) {
      expect(parseBasicAuthorization(basicAuthorization(user, password))).toEqual({ user, password });
    }
  });

  it.each([
    ["basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="],
    ["BASIC QWxhZGRpbjpvcGVuIHNlc2FtZQ=="],
    ["Basic    QWxhZGRpbjpvcGVuIHNlc2FtZQ==   "],
    ["  Basic\tQWxhZGRpbjpvcGVuIHNlc2FtZQ=="],
    ["Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ"], // padding dropped
  ])("is tolerant of scheme case, spaces and missing padding: %j", (header) => {
    expect(parseBasicAuthorization(header)).toEqual({ user: "Aladdin", password: "open sesame" });
  });

  it.each([
    [undefined],
    [""],
    ["Basic"],
    ["Basic "],
    ["Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ=="],
    ["BasicQWxhZGRpbjpvcGVuIHNlc2FtZQ=="],
    ["Basic !!!not-base64!!!"],
    ["Basic QWxh ZGRp"], // two tokens
    [`Basic ${b64("no-colon-here")}`],
    [`Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString("base64")}`], // invalid UTF-8
    ["Basic QQ"], // one byte, no colon
    ["Basic Q"], // impossible base64 length
  ])("returns null for %j", (header) => {
    expect(parseBasicAuthorization(header)).toBeNull();
  });
});

describe("checkBasic", () => {
  const expected = { user: "sinch", password: "s3cret:with:colons" };

  it("accepts the right credentials", () => {
    expect(checkBasic(basicAuthorization("sinch", "s3cret:with:colons"), expected)).toEqual({ ok: true });
    expect(checkBasic(`basic  ${b64("sinch:s3cret:with:colons")}`, expected)).toEqual({ ok: true });
  });

  it.each([
    [undefined, "missing"],
    ["", "missing"],
    ["   ", "missing"],
    ["Bearer abc.def", "wrong_scheme"],
    ["Digest username=\"sinch\"", "wrong_scheme"],
    ["Basic %%%", "malformed"],
    [`Basic ${b64("sinch")}`, "malformed"],
    [basicAuthorization("sinch", "wrong"), "wrong_credentials"],
    [basicAuthorization("Sinch", "s3cret:with:colons"), "wrong_credentials"],
    [basicAuthorization("sinch", "s3cret:with:colon"), "wrong_credentials"],
    [basicAuthorization("sinch", "s3cret:with:colons "), "wrong_credentials"],
    [basicAuthorization("", ""), "wrong_credentials"],
  ] as const)("%j → %s", (header, reason) => {
    const result = checkBasic(header, expected);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.message.length).toBeGreaterThan(0);
    }
  });

  it("never echoes a password in its message", () => {
    const result = checkBasic(basicAuthorization("sinch", "guessed-password"), expected);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).not.toContain("guessed-password");
      expect(result.message).not.toContain(expected.password);
    }
  });

  it("does not echo a bare credential that lacks a scheme", () => {
    const bare = b64("sinch:s3cret:with:colons");
    const result = checkBasic(bare, expected);
    expect(result).toMatchObject({ ok: false, reason: "wrong_scheme", message: "the Authorization header has no scheme, expected Basic" });
    const longScheme = checkBasic(`${"x".repeat(40)} token`, expected);
    expect(longScheme).toMatchObject({ ok: false, reason: "wrong_scheme", message: "Authorization scheme is not recognised, expected Basic" });
  });

  it("names the wrong scheme", () => {
    const result = checkBasic("Bearer token", expected);
    expect(result).toMatchObject({ ok: false, reason: "wrong_scheme", message: 'Authorization scheme is "Bearer", expected Basic' });
  });
});
