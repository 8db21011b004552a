/**
 * The inspector end to end in a real headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core; never a downloaded browser), against a real `listen` and a real forward target.
 * A missing Chromium fails this file with a clear message: CI (.ci/run) installs it.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { request } from "undici";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TargetServer } from "../helpers/target-server.js";
import { MO, post, startListen, type RunningListen } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const root = fileURLToPath(new URL("../../", import.meta.url));
const artifacts = join(root, "test-artifacts");
// Generous: these are upper bounds for waiting, not timing assertions.
const WAIT = { timeout: 10_000 };

let context: BrowserContext;
let profile: string;
let page: Page;
let running: RunningListen | undefined;
let target: TargetServer | undefined;

const MISSING = `${CHROMIUM} is missing: the inspector's browser test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it when missing)`;

beforeAll(async () => {
  // Failing here would make vitest report the tests as skipped; beforeEach below fails each one instead.
  if (!existsSync(CHROMIUM)) return;
  profile = await mkdtemp(join(tmpdir(), "sh-inspect-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    viewport: { width: 1280, height: 800 },
    acceptDownloads: true,
  });
}, 60_000);

beforeEach(() => {
  if (!existsSync(CHROMIUM)) throw new Error(MISSING);
});

afterAll(async () => {
  await context?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

afterEach(async () => {
  await page?.close();
  if (running) await running.stop();
  running = undefined;
  await target?.stop();
  target = undefined;
});

async function open(over: Parameters<typeof startListen>[0] = {}): Promise<Page> {
  running = await startListen(over);
  page = await context.newPage();
  await page.goto(`${running.inspectorUrl}/`);
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor(WAIT);
  return page;
}

const fixture = async (name: string): Promise<string> => readFile(join(root, "fixtures", `${name}.json`), "utf8");
const option = (p: Page, text: string | RegExp) => p.getByRole("option").filter({ hasText: text });
// Runs in the page. The test is compiled without DOM types, so the element is reached through its own
// ownerDocument rather than the page's `document` global.
const focused = (l: Locator): Promise<boolean> => l.evaluate((node) => node === node.ownerDocument.activeElement);

describe("inspector in Chromium", () => {
  it("loads, and a callback posted to the listener appears in the list", async () => {
    const p = await open();
    await expect.poll(() => p.getByRole("heading", { level: 1 }).innerText(), WAIT).toBe("sinch-hooks inspector");
    await expect.poll(() => p.locator("#local-url").innerText(), WAIT).toBe(running!.localUrl);
    expect(await p.getByRole("option").count()).toBe(0);

    expect(await post(`${running!.localUrl}/sinch`, MO("01JFAKEMSG00000000000000B1", "Hello from the browser test"))).toBe(200);
    const row = option(p, "mo_text");
    await row.waitFor(WAIT);
    await expect.poll(() => row.innerText(), WAIT).toContain("✓ valid");
    await expect.poll(() => row.innerText(), WAIT).toContain("answered 200");
    await expect.poll(() => row.innerText(), WAIT).toContain('"Hello from the browser test"');
  });

  it("an invalid callback shows its validation errors with their JSON pointers", async () => {
    const p = await open();
    const bad = JSON.stringify({ type: "recipient_delivery_report_sms", batch_id: "01JFAKEBATCH0000000000000X", recipient: "+15550100003", status: "Delivered", code: "zero", at: "2026-11-27T12:00:00Z" });
    expect(await post(`${running!.localUrl}/`, bad)).toBe(200);
    const row = option(p, "recipient_delivery_report_sms");
    await row.waitFor(WAIT);
    await expect.poll(() => row.innerText(), WAIT).toMatch(/✗ invalid \(\d+ errors?\)/);
    await row.click();
    await expect.poll(() => p.locator("#detail-heading").innerText(), WAIT).toContain("recipient_delivery_report_sms");
    const issue = p.locator("#checks li.issue").filter({ has: p.locator("code.pointer", { hasText: "/code" }) });
    await issue.waitFor(WAIT);
    await expect.poll(() => issue.innerText(), WAIT).toContain("✗ error");
    await expect.poll(() => p.locator("#payload").innerText(), WAIT).toContain('"code": "zero"');
  });

  it("keyboard: arrow keys move the selection, Enter opens the details, Escape returns to the list", async () => {
    const p = await open();
    for (const id of ["K1", "K2", "K3"]) expect(await post(`${running!.localUrl}/`, MO(`01JFAKEMSG00000000000000${id}`, `message ${id}`))).toBe(200);
    await expect.poll(() => p.getByRole("option").count(), WAIT).toBe(3);
    // Newest first; the first option is the one Tab reaches.
    await p.locator("#callbacks [tabindex='0']").focus();
    await p.keyboard.press("ArrowDown");
    const selected = p.locator("[role=option][aria-selected=true]");
    await expect.poll(() => selected.innerText(), WAIT).toContain("message K2");
    await expect.poll(() => focused(selected), WAIT).toBe(true);
    await p.keyboard.press("End");
    await expect.poll(() => selected.innerText(), WAIT).toContain("message K1");
    await p.keyboard.press("Enter");
    await expect.poll(() => focused(p.locator("#detail-heading")), WAIT).toBe(true);
    await expect.poll(() => p.locator("#facts").innerText(), WAIT).toContain("message K1");
    await p.keyboard.press("Escape");
    await expect.poll(() => focused(selected), WAIT).toBe(true);
  });

  it("the replay button produces a new delivery to the forward target", async () => {
    target = await new TargetServer([{ kind: "status", status: 200 }]).start();
    const p = await open({ forwardTo: `${target.url}/app` });
    const body = MO("01JFAKEMSG00000000000000P1", "replay me");
    expect(await post(`${running!.localUrl}/sinch`, body)).toBe(200);
    await target.waitFor(1);
    await option(p, "replay me").click();
    await p.getByRole("button", { name: "Replay to app" }).click();
    await p.locator("#action-status").filter({ hasText: "Replayed: app answered 200" }).waitFor(WAIT);
    await target.waitFor(2);
    expect(target.received[1]!.body.toString()).toBe(body);
    expect(target.received[1]!.url).toBe("/app");
    await expect.poll(() => p.locator("#replays").innerText(), WAIT).toContain("app answered 200");
  });

  it("the response-mode switch changes what the next callback gets", async () => {
    const p = await open();
    await expect.poll(() => p.getByRole("radio", { name: /as started/ }).isChecked(), WAIT).toBe(true);
    await p.getByRole("radio", { name: /503/ }).check();
    await p.locator("#respond-status").filter({ hasText: "Now: every callback gets 503" }).waitFor(WAIT);
    expect(await post(`${running!.localUrl}/`, MO("01JFAKEMSG00000000000000S1", "after the switch"))).toBe(503);
    const row = option(p, "after the switch");
    await row.waitFor(WAIT);
    await expect.poll(() => row.innerText(), WAIT).toContain("answered 503");
    await p.getByRole("radio", { name: /as started/ }).check();
    await p.locator("#respond-status").filter({ hasText: "Now: 200" }).waitFor(WAIT);
    expect(await post(`${running!.localUrl}/`, MO("01JFAKEMSG00000000000000S2"))).toBe(200);
  });

  it("copy as curl puts a masked command on the clipboard; download as fixture saves the recording", async () => {
    const p = await open({ basicAuth: { user: "sinch", password: "browser-SECRET-pw" } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: running!.inspectorUrl });
    const auth = `Basic ${Buffer.from("sinch:browser-SECRET-pw").toString("base64")}`;
    expect(await post(`${running!.localUrl}/`, MO("01JFAKEMSG00000000000000C1", "copy me"), { authorization: auth })).toBe(200);
    await option(p, "copy me").click();
    await p.getByRole("button", { name: "Copy as curl" }).click();
    await p.locator("#action-status").filter({ hasText: "curl command copied" }).waitFor(WAIT);
    const copied = await p.evaluate<string>("navigator.clipboard.readText()");
    expect(copied).toMatch(/^curl -sS -X POST 'http:\/\/127\.0\.0\.1:\d+\/'/);
    expect(copied).toContain("-H 'authorization: Basic <redacted>'");
    expect(copied).not.toContain("browser-SECRET-pw");
    expect(copied).not.toContain(auth.slice(6));
    await expect.poll(() => p.locator("#headers").innerText(), WAIT).toContain("Basic ••••••");

    const [download] = await Promise.all([p.waitForEvent("download", WAIT), p.getByRole("link", { name: "Download as fixture" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^\d{8}T\d{6}\.\d{3}Z-000001-mo_text\.json$/);
    const saved = JSON.parse(await readFile((await download.path())!, "utf8")) as Record<string, unknown>;
    expect(saved).toMatchObject({ _meta: { format: "sinch-hooks/recording" } });
    expect(saved.body).toBe(MO("01JFAKEMSG00000000000000C1", "copy me"));
    expect(saved.headers).not.toHaveProperty("authorization");
  });

  it("payload text is shown as text, never run as markup", async () => {
    const p = await open();
    let dialogs = 0;
    p.on("dialog", (d) => {
      dialogs++;
      void d.dismiss();
    });
    const evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    expect(await post(`${running!.localUrl}/`, MO("01JFAKEMSG00000000000000X1", evil))).toBe(200);
    const row = option(p, "mo_text");
    await row.waitFor(WAIT);
    await row.click();
    await expect.poll(() => p.locator("#payload").innerText(), WAIT).toContain(evil.replace(/"/g, '\\"'));
    expect(await row.innerText()).toContain("<img src=x");
    expect(await p.locator("img, main script").count()).toBe(0);
    expect(dialogs).toBe(0);
  });

  it("a request with a foreign Host header is refused", async () => {
    await open();
    const res = await request(`${running!.inspectorUrl}/`, { headers: { host: "evil.example" } });
    expect(res.statusCode).toBe(403);
    expect(await res.body.text()).not.toContain("<html");
  });

  it("renders a realistic session (saved as test-artifacts/inspector.png)", async () => {
    target = await new TargetServer([{ kind: "status", status: 200 }]).start();
    // A manual tunnel URL (never contacted) makes the header look like a real session.
    const p = await open({ forwardTo: `${target.url}/sinch`, respond: "503,200", tunnel: "manual", publicUrl: "https://example.ngrok-free.app" });
    const report = await fixture("recipient_delivery_report_sms");
    const invalid = JSON.stringify({ ...(JSON.parse(report) as object), status: "Failed", code: "402", recipient: 15550100011 });
    await post(`${running!.localUrl}/sinch`, await fixture("mo_text"));
    await post(`${running!.localUrl}/sinch`, report);
    await post(`${running!.localUrl}/sinch`, invalid);
    await post(`${running!.localUrl}/sinch`, report);
    await post(`${running!.localUrl}/sinch`, await fixture("delivery_report_sms"));
    await expect.poll(() => p.getByRole("option").count(), WAIT).toBe(4);
    const retried = option(p, "2 deliveries");
    await retried.click();
    await expect.poll(() => p.locator("#deliveries tr").count(), WAIT).toBe(2);
    await expect.poll(() => p.locator("#facts").innerText(), WAIT).toContain("retry #1");
    await mkdir(artifacts, { recursive: true });
    await p.screenshot({ path: join(artifacts, "inspector.png") });
    expect(existsSync(join(artifacts, "inspector.png"))).toBe(true);
  });
});
