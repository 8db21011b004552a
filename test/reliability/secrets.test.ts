/**
 * Secrets never appear in any output channel (issue #7): terminal output (human and -v), JSON output,
 * stderr and recordings, with every kind of credential configured and exercised, right and wrong.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { runListen, type ListenFlags } from "../../src/listen/command.js";
import { basicAuthorization } from "../../src/sign/basic.js";
import { signHmac } from "../../src/sign/hmac.js";
import { fakeIo } from "../helpers/fake-io.js";
import { closedPort } from "../helpers/target-server.js";

const SECRETS = {
  hmac: "HmacSecretFake-7f3a9c",
  oauthSecret: "OauthClientSecretFake-2b8e",
  ngrok: "NgrokTokenFake-9d1c55e0",
};

function forms(s: string): string[] {
  return [s, Buffer.from(s).toString("base64"), encodeURIComponent(s)];
}

const MO = JSON.stringify({ type: "mo_text", id: "01JFAKESECRET0000000000001", from: "+15550100001", to: "+15550100002", body: "secret test", received_at: "2026-11-27T12:00:00Z" });

async function exercise(json: boolean): Promise<{ channels: string[]; token: string | undefined }> {
  const dir = await mkdtemp(join(tmpdir(), "sinch-hooks-secrets-"));
  const io = fakeIo({ now: Date.now });
  const ac = new AbortController();
  const flags: ListenFlags = {
    host: "127.0.0.1",
    port: 0,
    maxBody: 1 << 20,
    signatureTolerance: 300,
    oauthTokenTtl: 3600,
    forwardTimeout: 2_000,
    tunnel: "auto",
    tunnelTimeout: 2_000,
    hmacSecret: SECRETS.hmac,
    oauth: { user: "sinch-client", password: SECRETS.oauthSecret },
    ngrokAuthtoken: SECRETS.ngrok,
    ngrokServerAddr: `127.0.0.1:${await closedPort()}`,
    ngrokApi: `http://127.0.0.1:${await closedPort()}`,
    record: dir,
    verbose: true,
    json,
  };
  const running = runListen(flags, io, ac.signal, "0.0.0-test");
  const ready = json ? /"local_url":"([^"]+)"/ : /Local\s+(http:\/\/\S+)/;
  const [, url] = await io.stdout.waitFor(ready);
  const token = async (secret: string): Promise<string | undefined> => {
    const res = await request(`${url}/oauth/token`, {
      method: "POST",
      headers: { authorization: basicAuthorization("sinch-client", secret), "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    const body = (await res.body.json()) as { access_token?: string };
    return body.access_token;
  };
  const good = await token(SECRETS.oauthSecret);
  await token("wrong-" + SECRETS.oauthSecret);
  expect(good).toBeTruthy();
  const send = async (headers: Record<string, string>): Promise<void> => {
    const res = await request(`${url}/sinch`, { method: "POST", body: MO, headers: { "content-type": "application/json", ...headers } });
    await res.body.dump();
  };
  const sig = signHmac({ secret: SECRETS.hmac, body: MO, nonce: "01JFAKENONCESECRET00000001", timestamp: Math.floor(Date.now() / 1000) });
  await send({ ...sig, authorization: `Bearer ${good!}` });
  await send({ ...signHmac({ secret: "wrong", body: MO, nonce: "01JFAKENONCESECRET00000002", timestamp: 1 }), authorization: `Bearer ${good!}x` });
  await send({ ...sig });
  // The inspector (a separate loopback port) holds the same callbacks: its JSON API must be as clean.
  const inspectorUrl = json ? (/"inspector_url":"([^"]+)"/.exec(io.stdout.text())?.[1] ?? "") : (/Inspect\s+(http:\/\/\S+)/.exec(io.stdout.text())?.[1] ?? "");
  expect(inspectorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
  const state = await request(`${new URL(inspectorUrl).origin}/api/state`);
  const inspector = await state.body.text();
  expect(state.statusCode).toBe(200);
  expect(inspector).toContain("mo_text");
  // The public listener has no inspector route: the same path there is not the inspector's API.
  const publicApi = await request(`${url}/api/state`);
  expect(publicApi.statusCode).toBe(405);
  await publicApi.body.dump();
  ac.abort();
  await running;
  const recordings: string[] = [inspector];
  for (const f of await readdir(dir)) recordings.push(await readFile(join(dir, f), "utf8"));
  await rm(dir, { recursive: true, force: true });
  return { channels: [io.stdout.text(), io.stderr.text(), ...recordings], token: good };
}

describe("no secret in any output", () => {
  for (const json of [false, true]) {
    it(`listen ${json ? "--json" : "human -v"}: HMAC secret, OAuth secret and tokens, ngrok token`, { timeout: 30_000 }, async () => {
      const result = await exercise(json);
      const all = result.channels.join("\n---\n");
      expect(result.channels.length).toBeGreaterThanOrEqual(4); // stdout, stderr, 3 recordings
      expect(all).toContain("mo_text"); // the channels really hold the callbacks
      for (const s of Object.values(SECRETS)) for (const f of forms(s)) expect(all, `found ${f}`).not.toContain(f);
      expect(all).not.toContain(result.token!);
    });
  }
});
