/**
 * Where the ngrok auth token comes from. tunnels.md §1.4: the SDK only reads NGROK_AUTHTOKEN when asked
 * to, and dials unauthenticated without a token, so we resolve it ourselves and pass `authtoken`.
 * Order (§5.2 item 1): --ngrok-authtoken, NGROK_AUTHTOKEN, then the token the user's ngrok agent stores.
 */
import { readFile as fsReadFile } from "node:fs/promises";
import { homedir } from "node:os";
import { posix, win32 } from "node:path";
import type { TokenSource } from "./errors.js";

export interface FoundToken {
  token: string;
  source: TokenSource;
  /** The config file it was read from (source "ngrok-config"); safe to show, unlike the token. */
  path?: string;
}

export interface FindTokenOptions {
  flag?: string;
  env: Record<string, string | undefined>;
  homeDir?: string;
  platform?: NodeJS.Platform;
  readFile?: (path: string) => Promise<string>;
}

/**
 * Candidate agent config files, most specific first (§1.4 lists the three documented defaults).
 * We also honour XDG_CONFIG_HOME / LOCALAPPDATA, which point at those defaults on a stock system, and the
 * v2 agent's old ~/.ngrok2/ngrok.yml, which users of the v2 agent still have.
 */
export function ngrokConfigPaths(homeDir: string, platform: NodeJS.Platform, env: Record<string, string | undefined>): string[] {
  const paths: string[] = [];
  if (platform === "win32") {
    const local = nonEmpty(env.LOCALAPPDATA);
    if (local) paths.push(win32.join(local, "ngrok", "ngrok.yml"));
    paths.push(win32.join(homeDir, "AppData", "Local", "ngrok", "ngrok.yml"));
    paths.push(win32.join(homeDir, ".ngrok2", "ngrok.yml"));
  } else if (platform === "darwin") {
    paths.push(posix.join(homeDir, "Library", "Application Support", "ngrok", "ngrok.yml"));
    paths.push(posix.join(homeDir, ".ngrok2", "ngrok.yml"));
  } else {
    const xdg = nonEmpty(env.XDG_CONFIG_HOME);
    if (xdg && posix.isAbsolute(xdg)) paths.push(posix.join(xdg, "ngrok", "ngrok.yml"));
    paths.push(posix.join(homeDir, ".config", "ngrok", "ngrok.yml"));
    paths.push(posix.join(homeDir, ".ngrok2", "ngrok.yml"));
  }
  return [...new Set(paths)];
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/** `key: value` → value, with quotes and trailing comments removed. */
function scalar(raw: string): string | undefined {
  const v = raw.trim();
  if (v.startsWith('"')) {
    const end = v.indexOf('"', 1);
    return end > 0 ? v.slice(1, end) : undefined;
  }
  if (v.startsWith("'")) {
    const end = v.indexOf("'", 1);
    return end > 0 ? v.slice(1, end) : undefined;
  }
  // YAML: a comment starts at " #"; tokens never contain spaces.
  const hash = v.search(/\s#/);
  const out = (hash >= 0 ? v.slice(0, hash) : v).trim();
  return out && !out.startsWith("#") ? out : undefined;
}

/**
 * The token in an ngrok agent config: v3 `agent:` → `authtoken:`, else v2 top-level `authtoken:`.
 * A small line reader instead of a YAML dependency (§1.4 flags the dependency as the cost); it handles
 * block mappings, quotes and comments, which is what `ngrok config add-authtoken` writes.
 */
export function parseNgrokConfigToken(text: string): string | undefined {
  let topLevel: string | undefined;
  let agentToken: string | undefined;
  let inAgent = false;
  let agentChildIndent: number | undefined;
  for (const line of text.replace(/^\uFEFF/, "").split(/\r?\n/)) {
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    const indent = line.length - line.trimStart().length;
    const m = /^\s*([A-Za-z_][\w-]*)\s*:(.*)$/.exec(line);
    if (indent === 0) {
      inAgent = m?.[1] === "agent" && scalar(m[2] ?? "") === undefined;
      agentChildIndent = undefined;
      if (m?.[1] === "authtoken") topLevel = scalar(m[2] ?? "") ?? topLevel;
      continue;
    }
    if (!inAgent || !m) continue;
    // Only direct children of `agent:`; deeper keys named authtoken belong to something else.
    agentChildIndent ??= indent;
    if (indent === agentChildIndent && m[1] === "authtoken") agentToken = scalar(m[2] ?? "") ?? agentToken;
  }
  return agentToken ?? topLevel;
}

export async function findNgrokToken(opts: FindTokenOptions): Promise<FoundToken | null> {
  const flag = nonEmpty(opts.flag);
  if (flag) return { token: flag, source: "flag" };
  // An empty NGROK_AUTHTOKEN counts as unset, as in the SDK (§1.2 authtoken_from_env).
  const env = nonEmpty(opts.env.NGROK_AUTHTOKEN);
  if (env) return { token: env, source: "env" };
  const read = opts.readFile ?? ((p: string) => fsReadFile(p, "utf8"));
  const paths = ngrokConfigPaths(opts.homeDir ?? homedir(), opts.platform ?? process.platform, opts.env);
  for (const path of paths) {
    let text: string;
    try {
      text = await read(path);
    } catch {
      continue; // missing or unreadable: the file is optional
    }
    const token = parseNgrokConfigToken(text);
    if (token) return { token, source: "ngrok-config", path };
  }
  return null;
}
