/**
 * `sinch-hooks send-test`: flags (+ env) → one test batch → its id on stdout. Errors are thrown as
 * SinchHooksErrors for cli/main.ts to render once; the API token never reaches any output.
 */
import { colorEnabled, type Io } from "../io.js";
import { createTheme } from "../render/theme.js";
import { resolveSendTest, sendTestBatch, type SendTestFlags, type SendTestResult } from "./index.js";

export interface SendTestCommandFlags extends SendTestFlags {
  json?: boolean;
}

export function describeSent(r: SendTestResult): string {
  const reports = r.callbackUrl
    ? `delivery reports (per_recipient) → ${r.callbackUrl}`
    : "delivery reports (per_recipient) → the service plan's callback URL in the dashboard (no --callback-url given)";
  return `batch ${r.batchId} accepted (${r.status}): test SMS to ${r.to.join(", ")}; ${reports}`;
}

export async function runSendTest(flags: SendTestCommandFlags, io: Io): Promise<number> {
  const input = resolveSendTest(flags, io.env);
  const result = await sendTestBatch(input);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ batch_id: result.batchId, status: result.status, to: result.to, callback_url: result.callbackUrl ?? null })}\n`);
  } else {
    const theme = createTheme(colorEnabled(io.env, io.stdout));
    io.stdout.write(`${theme.green("✓")} ${describeSent(result)}\n`);
  }
  return 0;
}
