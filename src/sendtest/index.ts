/**
 * send-test: one SMS batch through the Sinch SMS REST API with `callback_url` aimed at the listener and
 * `delivery_report: "per_recipient"`, so real delivery reports reach the tunnel without a dashboard
 * change (issue #9). Split as elsewhere: resolve + validate (pure), build the request (pure), send
 * (the only I/O), and map Sinch's error answers to one line with a hint (pure).
 *
 * API shape: POST {base}/xms/v1/{service_plan_id}/batches with `Authorization: Bearer <API token>`;
 * base https://{region}.sms.api.sinch.com for service-plan/API-token auth
 * (shared/reference/sinch-callbacks.md §6, "SMS API base URLs").
 */
import type { Dispatcher } from "undici";
import { NetworkError, SinchHooksError, UsageError } from "../errors.js";
import { createHttpClient } from "../send/http.js";

export const SINCH_REGIONS = ["us", "eu", "au", "br", "ca"] as const;
export type SinchRegion = (typeof SINCH_REGIONS)[number];

export const DEFAULT_TEST_BODY = "Test message from sinch-hooks send-test (checking delivery reports)";

export function smsApiBase(region: SinchRegion): string {
  return `https://${region}.sms.api.sinch.com`;
}

/** Flag values as the command receives them; env fallbacks are applied by resolveSendTest. */
export interface SendTestFlags {
  to?: string;
  from?: string;
  body?: string;
  callbackUrl?: string;
  servicePlanId?: string;
  apiToken?: string;
  region?: string;
  sinchApiUrl?: string;
}

export interface SendTestInput {
  to: string;
  from?: string;
  body: string;
  /** Omitted: Sinch sends the reports to the service plan's callback URL from the dashboard. */
  callbackUrl?: string;
  servicePlanId: string;
  apiToken: string;
  region: SinchRegion;
  /** The API base actually used: --sinch-api-url / SINCH_SMS_API_URL, else the region's base. */
  apiBase: string;
  timeoutMs: number;
}

// E.164 allows at most 15 digits; Sinch also accepts the number without "+". Short codes and
// alphanumeric senders are valid for --from only, never for --to.
const MSISDN = /^\+?[1-9]\d{4,14}$/;
// Sinch plan IDs are 32 hex characters; this looser rule only stops a value from escaping the URL path.
const PLAN_ID = /^[A-Za-z0-9_-]{1,64}$/;
// The token goes verbatim into a header: refuse whitespace and control characters up front rather than
// let undici throw a message that might quote it.
const TOKEN = /^[\x21-\x7e]+$/;

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "0.0.0.0", "[::]"]);

/** Throws a UsageError naming the flag (and env variable) for anything missing or malformed. */
export function resolveSendTest(flags: SendTestFlags, env: Record<string, string | undefined>, opts: { toFlag?: string } = {}): SendTestInput {
  const toFlag = opts.toFlag ?? "--to";
  const to = flags.to?.trim() ?? "";
  if (to === "") throw new UsageError(`${toFlag} is required: the phone number that receives the test SMS`, `e.g. ${toFlag} +15551234567`);
  if (!MSISDN.test(to.replace(/[\s-]/g, ""))) {
    throw new UsageError(`${toFlag} must be a phone number in international format (got "${to}")`, `e.g. ${toFlag} +15551234567 (country code first, digits only)`);
  }
  const servicePlanId = (flags.servicePlanId || env.SINCH_SERVICE_PLAN_ID || "").trim();
  if (servicePlanId === "") {
    throw new UsageError("the Sinch service plan ID is missing", "pass --service-plan-id ID or set SINCH_SERVICE_PLAN_ID (dashboard: SMS → APIs)");
  }
  if (!PLAN_ID.test(servicePlanId)) throw new UsageError("the service plan ID may only contain letters, digits, '-' and '_'", "copy it from the dashboard: SMS → APIs");
  const apiToken = (flags.apiToken || env.SINCH_API_TOKEN || "").trim();
  if (apiToken === "") throw new UsageError("the Sinch API token is missing", "pass --api-token TOKEN or set SINCH_API_TOKEN (dashboard: SMS → APIs, next to the service plan ID)");
  // The message says what is wrong with the token, never the token itself.
  if (!TOKEN.test(apiToken)) throw new UsageError("the API token contains spaces or control characters", "copy the token again from the dashboard: SMS → APIs");

  const regionRaw = (flags.region || env.SINCH_REGION || "us").trim().toLowerCase();
  if (!(SINCH_REGIONS as readonly string[]).includes(regionRaw)) {
    throw new UsageError(`--region must be one of ${SINCH_REGIONS.join(", ")} (got "${regionRaw}")`, "use the region your service plan was created in (dashboard: SMS → APIs)");
  }
  const region = regionRaw as SinchRegion;

  const apiUrlRaw = (flags.sinchApiUrl || env.SINCH_SMS_API_URL || "").trim();
  let apiBase = smsApiBase(region);
  if (apiUrlRaw !== "") apiBase = httpUrl("--sinch-api-url", apiUrlRaw).toString().replace(/\/$/, "");

  let callbackUrl: string | undefined;
  if (flags.callbackUrl !== undefined && flags.callbackUrl.trim() !== "") {
    const u = httpUrl("--callback-url", flags.callbackUrl.trim());
    // Sinch calls this URL from the internet; a loopback address would make every report vanish silently.
    if (LOOPBACK_HOSTS.has(u.hostname.toLowerCase()) || u.hostname.startsWith("127.")) {
      throw new UsageError(`--callback-url ${u.host} is a local address that Sinch cannot reach`, "use the listener's public URL (run `sinch-hooks listen --send-test NUMBER`, which fills it in)");
    }
    callbackUrl = u.toString();
  }

  const from = flags.from?.trim() || undefined;
  const body = flags.body ?? DEFAULT_TEST_BODY;
  if (body.trim() === "") throw new UsageError("--body must not be empty");
  return { to: to.replace(/[\s-]/g, ""), from, body, callbackUrl, servicePlanId, apiToken, region, apiBase, timeoutMs: 15_000 };
}

function httpUrl(flag: string, value: string): URL {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`${flag} must be a full URL such as https://example.ngrok-free.app (got "${value}")`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new UsageError(`${flag} must use http or https (got "${u.protocol.replace(":", "")}")`);
  return u;
}

export interface BatchRequest {
  origin: string;
  path: string;
  headers: Record<string, string>;
  json: { to: string[]; from?: string; body: string; callback_url?: string; delivery_report: "per_recipient" };
}

/** The exact request send-test makes; pure, so tests and a dry run can look at it. */
export function batchRequest(input: SendTestInput): BatchRequest {
  const base = new URL(input.apiBase);
  const prefix = base.pathname.replace(/\/+$/, "");
  const json: BatchRequest["json"] = { to: [input.to], body: input.body, delivery_report: "per_recipient" };
  if (input.from) json.from = input.from;
  if (input.callbackUrl) json.callback_url = input.callbackUrl;
  return {
    origin: base.origin,
    path: `${prefix}/xms/v1/${encodeURIComponent(input.servicePlanId)}/batches`,
    headers: { authorization: `Bearer ${input.apiToken}`, "content-type": "application/json", accept: "application/json" },
    json,
  };
}

export interface SendTestResult {
  batchId: string;
  status: number;
  to: string[];
  callbackUrl?: string;
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
};

/** Removes anything that is not printable and caps the length: API text is shown on one terminal line. */
function oneLine(text: string, max = 300): string {
  // oxlint-disable-next-line no-control-regex -- stripping control characters is the point here
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Sinch's error body is `{ code, text }` (e.g. `syntax_invalid_parameter_format`); anything else is shown as is. */
export function parseSinchError(body: string | undefined): { code?: string; text?: string } {
  if (!body) return {};
  try {
    const b = JSON.parse(body) as { code?: unknown; text?: unknown };
    if (b !== null && typeof b === "object") {
      const code = typeof b.code === "string" || typeof b.code === "number" ? String(b.code) : undefined;
      const text = typeof b.text === "string" ? b.text : undefined;
      if (code !== undefined || text !== undefined) return { code, text };
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): fall through and show its start.
  }
  return { text: body };
}

/** One line and a hint for a non-2xx answer. Exit code 3 (network category), like every API failure. */
export function describeApiError(status: number, body: string | undefined, input: Pick<SendTestInput, "region" | "apiToken" | "apiBase">): SinchHooksError {
  const { code, text } = parseSinchError(body);
  const detail = [code, text].filter((s): s is string => s !== undefined && s !== "").map((s) => scrub(oneLine(s), input.apiToken));
  const what = `Sinch SMS API answered ${status}${REASONS[status] ? ` ${REASONS[status]}` : ""}${detail.length ? `: ${detail.join(" — ")}` : ""}`;
  const region = `--region ${input.region}${input.apiBase === smsApiBase(input.region) ? "" : `, API ${input.apiBase}`}`;
  let hint: string;
  if (status === 401) hint = `check the API token (--api-token or SINCH_API_TOKEN) and that it belongs to this service plan; a plan from another region needs the matching --region (now ${region})`;
  else if (status === 403) hint = `the service plan may not send this: check --region (now ${region}), that --from is a number or sender of this plan, and that the destination country is enabled`;
  else if (status === 400) hint = "check that --to is a full international number (+15551234567) and --from a number or sender ID of this service plan";
  else if (status === 404) hint = `no such service plan here: check --service-plan-id and --region (now ${region})`;
  else if (status === 429) hint = "Sinch is rate-limiting this plan; wait a moment and try again";
  else if (status >= 500) hint = "Sinch's API failed on its side; try again shortly";
  else hint = "see the Sinch SMS API reference for this status";
  return new NetworkError(what, { hint, code: `SH_SINCH_API_${status}` });
}

/** Replaces the token wherever it might appear, so no error path can print it. */
export function scrub(text: string, token: string): string {
  return token.length >= 4 ? text.split(token).join("••••••") : text;
}

export async function sendTestBatch(input: SendTestInput, deps: { dispatcher?: Dispatcher } = {}): Promise<SendTestResult> {
  const req = batchRequest(input);
  const client = await createHttpClient(req.origin, { timeoutMs: input.timeoutMs, connections: 1, dispatcher: deps.dispatcher });
  try {
    const res = await client.send({ path: req.path, method: "POST", headers: req.headers, body: Buffer.from(JSON.stringify(req.json)) });
    if (!res.ok || res.status === undefined) {
      // send/http.ts words its failures for the developer's app ("is the app running?"); this is Sinch.
      const why: Record<string, string> = {
        refused: "connection refused",
        reset: "connection reset before an answer arrived",
        timeout: `no answer within ${Math.round(input.timeoutMs / 1000)} s`,
        dns: "host name not found",
      };
      const reason = res.error ? (why[res.error.kind] ?? scrub(oneLine(res.error.message), input.apiToken)) : "request failed";
      throw new NetworkError(`cannot reach the Sinch SMS API at ${req.origin}: ${reason}`, {
        hint: "check your network connection (and --sinch-api-url if you set one)",
        code: "SH_SINCH_API_UNREACHABLE",
      });
    }
    if (res.status < 200 || res.status >= 300) throw describeApiError(res.status, res.body, input);
    let id: unknown;
    try {
      id = (JSON.parse(res.body ?? "") as { id?: unknown }).id;
    } catch {
      id = undefined;
    }
    if (typeof id !== "string" || id === "") {
      throw new NetworkError(`Sinch SMS API answered ${res.status} without a batch id`, { hint: "check --sinch-api-url points at the Sinch SMS API", code: "SH_SINCH_API_UNEXPECTED" });
    }
    return { batchId: oneLine(id, 64), status: res.status, to: req.json.to, callbackUrl: req.json.callback_url };
  } finally {
    await client.close();
  }
}
