import { describe, expect, it } from "vitest";
import { mapNgrokError, ngrokErrorDocsUrl } from "../../src/tunnel/errors.js";
import { TunnelError } from "../../src/tunnel/types.js";
import { ngrokError } from "../helpers/tunnel-fakes.js";

// tunnels.md §5.1 mapping table, with SDK-shaped errors (§1.5).
describe("mapNgrokError", () => {
  it.each([
    ["ERR_NGROK_4018", "AUTH_MISSING", /^ngrok needs an auth token/],
    ["ERR_NGROK_105", "AUTH_INVALID", /malformed/],
    ["ERR_NGROK_107", "AUTH_INVALID", /invalid or has been revoked/],
    ["ERR_NGROK_108", "SESSION_LIMIT", /already has an agent session \(is `ngrok http` running\?\)/],
    ["ERR_NGROK_334", "DOMAIN", /already online/],
    ["ERR_NGROK_326", "DOMAIN", /is not valid/],
    ["ERR_NGROK_328", "DOMAIN", /is not valid/],
    ["ERR_NGROK_9016", "UNKNOWN", /^ngrok refused to open the tunnel: failed to start tunnel/],
  ] as const)("%s → %s", (code, kind, message) => {
    const mapped = mapNgrokError(ngrokError("failed to start tunnel: something", code), { localPort: 7462 });
    expect(mapped).toBeInstanceOf(TunnelError);
    expect(mapped.kind).toBe(kind);
    expect(mapped.code).toBe(`SH_TUNNEL_${kind}`);
    expect(mapped.category).toBe("tunnel");
    expect(mapped.exitCode).toBe(3);
    expect(mapped.providerCode).toBe(code);
    expect(mapped.message).toMatch(message);
    expect(mapped.message).toContain(`(${code})`);
    // §5.1: always print ngrok's page for the code.
    expect(mapped.hint).toContain(`https://ngrok.com/docs/errors/${code.toLowerCase()}`);
  });

  it("tells how to get a token for ERR_NGROK_4018", () => {
    const mapped = mapNgrokError(ngrokError("failed to connect session: authentication failed", "ERR_NGROK_4018"));
    expect(mapped.hint).toContain("https://dashboard.ngrok.com/get-started/your-authtoken");
    expect(mapped.hint).toContain("NGROK_AUTHTOKEN");
    expect(mapped.hint).toContain("https://ngrok.com/docs/errors/err_ngrok_4018");
  });

  it("suggests attaching to the running agent for ERR_NGROK_108", () => {
    const mapped = mapNgrokError(ngrokError("failed to connect session: limited to 1 simultaneous session", "ERR_NGROK_108"), { localPort: 7462 });
    expect(mapped.hint).toContain("--tunnel ngrok-agent");
    expect(mapped.hint).toContain("ngrok http 7462");
  });

  it("names the domain and says which token to fix", () => {
    expect(mapNgrokError(ngrokError("x", "ERR_NGROK_326"), { domain: "1.21 gigawatts" }).message).toContain('"1.21 gigawatts"');
    expect(mapNgrokError(ngrokError("x", "ERR_NGROK_334"), { domain: "me.ngrok.app" }).message).toContain("me.ngrok.app");
    expect(mapNgrokError(ngrokError("x", "ERR_NGROK_107"), { tokenSource: "env" }).hint).toContain("NGROK_AUTHTOKEN");
    expect(mapNgrokError(ngrokError("x", "ERR_NGROK_105"), { tokenSource: "ngrok-config", tokenPath: "/h/.config/ngrok/ngrok.yml" }).hint).toContain("/h/.config/ngrok/ngrok.yml");
    expect(mapNgrokError(ngrokError("x", "ERR_NGROK_105"), { tokenSource: "flag" }).hint).toContain("--ngrok-authtoken");
  });

  it("reads the code from the message suffix when errorCode is missing", () => {
    const err = new Error("failed to connect session: bad token error_code: ERR_NGROK_105");
    const mapped = mapNgrokError(err);
    expect(mapped.kind).toBe("AUTH_INVALID");
    expect(mapped.providerCode).toBe("ERR_NGROK_105");
    // The SDK's detail is kept, without the duplicated suffix.
    expect(mapNgrokError(ngrokError("failed to start tunnel: odd", "ERR_NGROK_9016")).message).toBe("ngrok refused to open the tunnel: failed to start tunnel: odd (ERR_NGROK_9016)");
  });

  it.each([
    ["failed to connect session: failed to establish tcp connection", "NETWORK"],
    ["failed to connect session: tls handshake error", "NETWORK"],
    ["failed to connect session: failed to deserialize rpc response", "UNKNOWN"],
    ["Missing client id for oidc", "UNKNOWN"],
  ] as const)("uncoded %j → %s", (message, kind) => {
    const mapped = mapNgrokError(ngrokError(message));
    expect(mapped.kind).toBe(kind);
    expect(mapped.providerCode).toBeUndefined();
    expect(mapped.message).toContain(message);
    expect(mapped.hint).not.toContain("ngrok.com/docs/errors");
  });

  it("handles non-Error rejections", () => {
    expect(mapNgrokError("failed to establish tcp connection").kind).toBe("NETWORK");
    expect(mapNgrokError(undefined).kind).toBe("UNKNOWN");
    expect(mapNgrokError({ errorCode: "ERR_NGROK_108" }).kind).toBe("SESSION_LIMIT");
  });

  it("never repeats the auth token, in message, hint or cause", () => {
    const token = "2abcDEFsecretTOKEN_123456";
    const err = ngrokError(`failed to connect session: token ${token} is not valid`, "ERR_NGROK_107");
    const mapped = mapNgrokError(err, { token, tokenSource: "flag" });
    expect(mapped.message).not.toContain(token);
    expect(mapped.hint ?? "").not.toContain(token);
    expect(String((mapped.cause as Error).message)).not.toContain(token);
    expect(mapped.kind).toBe("AUTH_INVALID");
    // Uncoded errors repeat the SDK's detail: scrubbed there too.
    const uncoded = mapNgrokError(ngrokError(`weird failure for ${token}`), { token });
    expect(uncoded.message).toBe("ngrok failed: weird failure for <redacted>");
    expect(String((uncoded.cause as Error).message)).not.toContain(token);
  });

  it("builds docs URLs in lower case", () => {
    expect(ngrokErrorDocsUrl("ERR_NGROK_4018")).toBe("https://ngrok.com/docs/errors/err_ngrok_4018");
  });
});
