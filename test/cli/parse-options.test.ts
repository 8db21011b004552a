import { describe, expect, it } from "vitest";
import { parseByteSize, parseCredentials, parseDuration, parseList, parsePort, parseSeconds, parseUrl } from "../../src/cli/parse-options.js";
import { UsageError } from "../../src/errors.js";

describe("flag parsers", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["1.5s", 1500],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["250", 250],
  ])("duration %s = %i ms", (v, ms) => expect(parseDuration("--timeout", v)).toBe(ms));
  it.each(["", "abc", "-5s", "5 parsecs"])("duration %j is a usage error naming the flag", (v) => {
    expect(() => parseDuration("--forward-timeout", v)).toThrow(UsageError);
    expect(() => parseDuration("--forward-timeout", v)).toThrow(/--forward-timeout/);
  });
  it("seconds accept bare numbers and durations", () => {
    expect(parseSeconds("--ttl", "600")).toBe(600);
    expect(parseSeconds("--ttl", "5m")).toBe(300);
  });
  it.each([
    ["1mb", 1048576],
    ["512kb", 524288],
    ["2048", 2048],
  ])("size %s = %i", (v, n) => expect(parseByteSize("--max-body", v)).toBe(n));
  it("rejects bad sizes and ports", () => {
    expect(() => parseByteSize("--max-body", "0")).toThrow(/--max-body/);
    expect(() => parseByteSize("--max-body", "lots")).toThrow(/--max-body/);
    expect(() => parsePort("--port", "70000")).toThrow(/--port must be a port number/);
    expect(() => parsePort("--port", "abc")).toThrow(/--port/);
    expect(parsePort("--port", "0")).toBe(0);
  });
  it("credentials split on the first colon", () => {
    expect(parseCredentials("--basic-auth", "user:pa:ss")).toEqual({ user: "user", password: "pa:ss" });
    for (const bad of ["user", ":pw", "user:", "us\u0000er:pw"]) expect(() => parseCredentials("--basic-auth", bad)).toThrow(/--basic-auth/);
  });
  it("urls must be http(s) and complete", () => {
    expect(parseUrl("--forward-to", "http://localhost:3000/x").pathname).toBe("/x");
    expect(() => parseUrl("--forward-to", "localhost:3000")).toThrow(/--forward-to/);
    expect(() => parseUrl("--forward-to", "ftp://x")).toThrow(/--forward-to must use http or https/);
  });
  it("lists trim and drop empties", () => expect(parseList(" a, b,,c ")).toEqual(["a", "b", "c"]));
});
