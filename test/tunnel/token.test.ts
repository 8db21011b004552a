import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findNgrokToken, ngrokConfigPaths, parseNgrokConfigToken } from "../../src/tunnel/token.js";

const V2 = `version: "2"
authtoken: 2v2TokenAAAAAAAAAAAAAAAAAAAA_bbbbbbbbbbbbbbbbbbbbb
tunnels:
  web:
    proto: http
    addr: 80
`;
const V3 = `# written by ngrok config add-authtoken
version: "3"
agent:
    authtoken: 2v3TokenCCCCCCCCCCCCCCCCCCC_ddddddddddddddddddddd
    api_key: not-this-one
endpoints:
  - name: web
    upstream:
      url: 8080
`;

describe("parseNgrokConfigToken", () => {
  it("reads v2 top-level and v3 agent.authtoken", () => {
    expect(parseNgrokConfigToken(V2)).toBe("2v2TokenAAAAAAAAAAAAAAAAAAAA_bbbbbbbbbbbbbbbbbbbbb");
    expect(parseNgrokConfigToken(V3)).toBe("2v3TokenCCCCCCCCCCCCCCCCCCC_ddddddddddddddddddddd");
  });

  it("handles quotes, comments, CRLF and a BOM", () => {
    expect(parseNgrokConfigToken('\uFEFFversion: 3\r\nagent:\r\n  authtoken: "quoted-tok" # mine\r\n')).toBe("quoted-tok");
    expect(parseNgrokConfigToken("authtoken: 'single-tok'\n")).toBe("single-tok");
    expect(parseNgrokConfigToken("authtoken: plain-tok   # comment\n")).toBe("plain-tok");
    expect(parseNgrokConfigToken("# authtoken: commented-out\nversion: 2\n")).toBeUndefined();
  });

  it("ignores authtoken keys that belong to something other than the agent", () => {
    const text = `version: 3
agent:
  connect_url: example:443
  extra:
    authtoken: nested-not-agent
endpoints:
  - name: x
    authtoken: endpoint-level
`;
    expect(parseNgrokConfigToken(text)).toBeUndefined();
    expect(parseNgrokConfigToken("agent:\n  authtoken:\n")).toBeUndefined();
    expect(parseNgrokConfigToken("")).toBeUndefined();
  });

  it("prefers the v3 agent token over a stray top-level one", () => {
    expect(parseNgrokConfigToken("authtoken: old\nagent:\n  authtoken: new\n")).toBe("new");
  });
});

describe("ngrokConfigPaths", () => {
  it("uses the documented defaults per platform (§1.4)", () => {
    expect(ngrokConfigPaths("/home/u", "linux", {})[0]).toBe("/home/u/.config/ngrok/ngrok.yml");
    expect(ngrokConfigPaths("/Users/u", "darwin", {})[0]).toBe("/Users/u/Library/Application Support/ngrok/ngrok.yml");
    expect(ngrokConfigPaths("C:\\Users\\u", "win32", {})[0]).toBe("C:\\Users\\u\\AppData\\Local\\ngrok\\ngrok.yml");
    expect(ngrokConfigPaths("C:\\Users\\u", "win32", { LOCALAPPDATA: "D:\\Local" })[0]).toBe("D:\\Local\\ngrok\\ngrok.yml");
    expect(ngrokConfigPaths("/home/u", "linux", { XDG_CONFIG_HOME: "/xdg" })).toEqual(["/xdg/ngrok/ngrok.yml", "/home/u/.config/ngrok/ngrok.yml", "/home/u/.ngrok2/ngrok.yml"]);
  });
});

describe("findNgrokToken", () => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "sh-tunnel-token-"));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  async function writeConfig(rel: string, text: string): Promise<string> {
    const path = join(home, rel);
    await mkdir(join(path, ".."), { recursive: true });
    await writeFile(path, text);
    return path;
  }

  it("returns null when nothing is set and no config file exists", async () => {
    expect(await findNgrokToken({ env: {}, homeDir: home, platform: "linux" })).toBeNull();
  });

  it("flag beats env beats config file", async () => {
    await writeConfig(".config/ngrok/ngrok.yml", V3);
    expect(await findNgrokToken({ flag: "from-flag", env: { NGROK_AUTHTOKEN: "from-env" }, homeDir: home, platform: "linux" })).toEqual({ token: "from-flag", source: "flag" });
    expect(await findNgrokToken({ env: { NGROK_AUTHTOKEN: "from-env" }, homeDir: home, platform: "linux" })).toEqual({ token: "from-env", source: "env" });
    expect(await findNgrokToken({ env: {}, homeDir: home, platform: "linux" })).toEqual({
      token: "2v3TokenCCCCCCCCCCCCCCCCCCC_ddddddddddddddddddddd",
      source: "ngrok-config",
      path: join(home, ".config/ngrok/ngrok.yml"),
    });
  });

  it("treats empty or blank flag and env values as unset", async () => {
    await writeConfig(".config/ngrok/ngrok.yml", V2);
    const found = await findNgrokToken({ flag: "", env: { NGROK_AUTHTOKEN: "  " }, homeDir: home, platform: "linux" });
    expect(found?.source).toBe("ngrok-config");
    expect(found?.token).toBe("2v2TokenAAAAAAAAAAAAAAAAAAAA_bbbbbbbbbbbbbbbbbbbbb");
    expect(await findNgrokToken({ env: { NGROK_AUTHTOKEN: "" }, homeDir: join(home, "nope"), platform: "linux" })).toBeNull();
  });

  it("reads the macOS location and the legacy ~/.ngrok2 file", async () => {
    const mac = await writeConfig("Library/Application Support/ngrok/ngrok.yml", V3);
    expect(await findNgrokToken({ env: {}, homeDir: home, platform: "darwin" })).toMatchObject({ source: "ngrok-config", path: mac });
    await rm(mac);
    const legacy = await writeConfig(".ngrok2/ngrok.yml", V2);
    expect(await findNgrokToken({ env: {}, homeDir: home, platform: "darwin" })).toMatchObject({ source: "ngrok-config", path: legacy });
  });

  it("skips a config without a token and an unreadable path, via the injected reader", async () => {
    const seen: string[] = [];
    const found = await findNgrokToken({
      env: {},
      homeDir: "/h",
      platform: "linux",
      readFile: async (p) => {
        seen.push(p);
        if (p === "/h/.config/ngrok/ngrok.yml") return "version: 3\nagent:\n  region: eu\n";
        if (p === "/h/.ngrok2/ngrok.yml") return V2;
        throw Object.assign(new Error("nope"), { code: "ENOENT" });
      },
    });
    expect(seen).toEqual(["/h/.config/ngrok/ngrok.yml", "/h/.ngrok2/ngrok.yml"]);
    expect(found).toMatchObject({ source: "ngrok-config", path: "/h/.ngrok2/ngrok.yml" });
  });
});
