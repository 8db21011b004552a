/**
 * commander wiring only: flags, help text, and a lazy import per action so `--help` and `--version`
 * never load ajv, undici or @ngrok/ngrok. Behaviour lives in the feature folders.
 */
import { Command, Option } from "commander";
import type { Io } from "../io.js";
import {
  parseByteSize,
  parseCredentials,
  parseDuration,
  parseList,
  parsePort,
  parsePositiveInt,
  parseSeconds,
  parseUrl,
} from "./parse-options.js";

// Only a string constant: importing it does not load the SNS code.
const SNS_ENVELOPE_HELP =
  "wrap each payload in an SNS Notification envelope (for apps that read Sinch callbacks from SNS over HTTP). Unsigned or test-signed envelopes only suit apps that skip SNS signature verification, or point it at your test certificate, in development";

export interface ProgramContext {
  io: Io;
  signal: AbortSignal;
  version: string;
  /** The action's exit code lands here. */
  setExitCode(code: number): void;
  /** Asks main to exit shortly after the command even if a library left a handle open (listen + ngrok). */
  forceExitWhenDone(): void;
}

export function createProgram(ctx: ProgramContext): Command {
  const { io } = ctx;
  const program = new Command("sinch-hooks")
    .description("Develop against Sinch SMS callbacks: listen, validate, sign and replay webhooks locally.")
    .version(ctx.version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      // main.ts renders commander's errors in the house style; commander must not print them too.
      outputError: () => {},
    })
    .exitOverride();

  program.addHelpText(
    "after",
    `
Examples:
  $ sinch-hooks listen                          local listener on http://127.0.0.1:7462
  $ sinch-hooks listen --forward-to http://localhost:3000/sinch --hmac-secret $SECRET
  $ sinch-hooks validate fixtures/*.json
  $ sinch-hooks fixtures mo_text > my.json

Exit codes: 0 ok · 1 a check failed · 2 usage or input error · 3 network, target or tunnel error`,
  );

  program
    .command("check")
    .description("run a conformance suite against your callback endpoint: the mistakes that make Sinch retry, drop or double a callback")
    .option("--to <url>", "your callback endpoint (default: env SINCH_HOOKS_TARGET)")
    .option("--hmac-secret <secret>", "sign like Sinch and run the HMAC checks (default: env SINCH_HOOKS_HMAC_SECRET)")
    .option("--basic-auth <user:pass>", "send Basic credentials and check they are required (default: env SINCH_HOOKS_BASIC_AUTH)")
    .option("--oauth-token-url <url>", "your OAuth 2.0 token endpoint (client-credentials grant)")
    .option("--oauth-credentials <user:pass>", "client id and secret for --oauth-token-url (default: env SINCH_HOOKS_OAUTH_CREDENTIALS)")
    .option("-H, --header <header>", 'extra header "Name: value" on every request (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option("--budget-ms <ms>", "longest acceptable answer to a valid callback (default: 2000)").argParser((v) => parsePositiveInt("--budget-ms", v)))
    .addOption(new Option("--timeout <duration>", "give up waiting for one answer after this long (default: 10s)").argParser((v) => parseDuration("--timeout", v)))
    .addOption(new Option("--only <names>", "run only these checks (comma-separated, repeatable)").argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), ...parseList(v)]))
    .addOption(new Option("--skip <names>", "skip these checks (comma-separated, repeatable)").argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), ...parseList(v)]))
    .option("--list", "list the checks and exit")
    .option("--json", "print one JSON report on stdout")
    .option("--junit <file>", "also write a JUnit XML report to FILE")
    .option("--strict", "warnings fail the run too (except hmac-freshness, a warning by design)")
    .addHelpText(
      "after",
      `
Examples:
  $ sinch-hooks check --to http://localhost:3000/sinch
  $ sinch-hooks check --to http://localhost:3000/sinch --hmac-secret $SECRET
  $ sinch-hooks check --to http://localhost:3000/sinch --basic-auth sinch:s3cret --only credentials
  $ sinch-hooks check --to $URL --oauth-token-url $URL/oauth/token --oauth-credentials sinch:s3cret
  $ sinch-hooks check --to $URL --hmac-secret $SECRET --json --junit check.xml --strict
  $ sinch-hooks check --list

Exit codes: 0 no check failed · 1 a check failed (or warned, with --strict) · 2 usage error
            3 the endpoint cannot be reached or never answered · 130 interrupted`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const { runCheck } = await import("../check/command.js");
      ctx.setExitCode(await runCheck(opts as never, io, ctx.signal));
    });

  program
    .command("validate")
    .description("validate callback payloads against the Sinch SMS callback schemas")
    .argument("<files...>", "JSON or NDJSON files (one payload, an array, or one per line); - for stdin")
    .option("--json", "print one JSON result per payload")
    .addHelpText(
      "after",
      `
Examples:
  $ sinch-hooks validate fixtures/*.json
  $ sinch-hooks fixtures delivery_report_sms | sinch-hooks validate -
  $ sinch-hooks validate --json events.ndjson | jq .

Exit codes: 0 all valid · 1 any payload invalid · 2 unreadable file or usage error`,
    )
    .action(async (files: string[], opts: { json?: boolean }) => {
      const { runValidate } = await import("../validate/command.js");
      ctx.setExitCode(await runValidate({ inputs: files, json: opts.json === true }, io));
    });

  program
    .command("sign")
    .description("print the x-sinch-webhook-signature headers Sinch would send with a payload")
    .argument("<file>", "the payload file, byte-for-byte as it will be sent; - for stdin")
    .addOption(new Option("--secret <secret>", "the HMAC secret of the service plan").env("SINCH_HOOKS_HMAC_SECRET"))
    .option("--nonce <nonce>", "fixed nonce (default: a fresh ULID-style value)")
    .option("--timestamp <seconds>", "fixed Unix timestamp in seconds (default: now)")
    .option("--curl <url>", "print a ready curl command that POSTs the signed bytes to URL")
    .option("--json", "print the headers as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ sinch-hooks sign fixtures/mo_text.json --secret s3cret
  $ sinch-hooks sign body.json --secret s3cret --nonce 01JHFFHWYY7HSS4FWTMDTQEK8V --timestamp 1736760161
  $ sinch-hooks sign body.json --secret s3cret --curl http://localhost:3000/sinch | sh`,
    )
    .action(async (file: string, opts: { secret?: string; nonce?: string; timestamp?: string; curl?: string; json?: boolean }) => {
      const { runSign } = await import("../sign/command.js");
      ctx.setExitCode(
        await runSign(
          {
            input: file,
            secret: opts.secret,
            nonce: opts.nonce,
            timestamp: opts.timestamp,
            curl: opts.curl === undefined ? undefined : parseUrl("--curl", opts.curl).toString(),
            json: opts.json === true,
          },
          io,
        ),
      );
    });

  program
    .command("fixtures")
    .description("list the sample callback types, or print a sample payload with fresh ids and timestamps")
    .argument("[type]", "a callback type such as mo_text or delivery_report_sms")
    .option("--keep", "print the bundled sample verbatim (no fresh ids or timestamps)")
    .addHelpText(
      "after",
      `
Examples:
  $ sinch-hooks fixtures
  $ sinch-hooks fixtures mo_text > my.json
  $ sinch-hooks fixtures recipient_delivery_report_sms --keep`,
    )
    .action(async (type: string | undefined, opts: { keep?: boolean }) => {
      const { runFixtures } = await import("../fixtures/command.js");
      ctx.setExitCode(await runFixtures({ type, keep: opts.keep === true }, io));
    });

  // replay: flags stay strings here; src/replay/options.ts parses and checks them (and reads the env).
  program
    .command("replay")
    .description("send payloads or recordings to your endpoint as Sinch would (signed, authenticated, paced) and check the answers")
    .argument("<inputs...>", "payload files, directories (*.json, *.ndjson) or `listen --record` recordings; - for stdin")
    .option("--to <url>", "your endpoint (default: env SINCH_HOOKS_TARGET)")
    .option("--append-path", "append each recording's path to the --to path (used anyway when --to has no path)")
    .option("--allow-invalid", "send payloads that fail validation too (to test how your endpoint handles them)")
    .option("--set <path=value>", "override a field before sending, e.g. status=Failed (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--fresh", "new ids, batch ids and timestamps, so your endpoint's de-duplication is not tripped")
    .option("--sns-envelope", SNS_ENVELOPE_HELP)
    .option("--sns-topic-arn <arn>", "TopicArn of the SNS envelope (default: a fake test topic)")
    .option("--sns-signing-key <pem-file>", "sign envelopes with this test RSA key (with --sns-cert-url)")
    .option("--sns-cert-url <url>", "SigningCertURL for test-signed envelopes: where your app finds the matching certificate")
    .option("--sns-signature-version <v>", "SNS SignatureVersion for test-signed envelopes: 1 (SHA1) or 2 (SHA256, default)")
    .option("--hmac-secret <secret>", "sign each request (fresh nonce and timestamp) (default: env SINCH_HOOKS_HMAC_SECRET)")
    .option("--nonce <nonce>", "fixed signature nonce, for reproducible runs")
    .option("--timestamp <seconds>", "fixed signature timestamp (Unix seconds), for reproducible runs")
    .option("--basic-auth <user:pass>", "send HTTP Basic credentials (default: env SINCH_HOOKS_BASIC_AUTH)")
    .option("--oauth-token-url <url>", "fetch a client-credentials token here and send it as Bearer")
    .option("--oauth-credentials <user:pass>", "client id and secret for --oauth-token-url (default: env SINCH_HOOKS_OAUTH_CREDENTIALS)")
    .option("-H, --header <header>", 'extra header "Name: value" (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option("--concurrency <n>", "requests in flight at once; 1 sends in order (default: 1)")
    .option("--rate <n/s>", "at most this many requests per second (or per minute: 600/m)")
    .option("--repeat <n>", "send the whole set N times (default: 1)")
    .option("--timeout <duration>", "per-request timeout, e.g. 500ms or 10s (default: 10s)")
    .option("--expect <statuses>", "exit 1 unless every answer is one of these, e.g. 2xx or 200,202")
    .option("--dry-run", "print each request as a curl command instead of sending it")
    .option("--json", "one JSON object per request, then a summary object")
    .option("--junit <file>", "write a JUnit XML report, one testcase per request")
    .addHelpText(
      "after",
      `
Examples:
  $ sinch-hooks fixtures mo_text > m.json && sinch-hooks replay m.json --to http://localhost:3000/sinch --hmac-secret $SECRET
  $ sinch-hooks replay ./recorded --to http://localhost:3000 --expect 2xx --junit replay.xml
  $ sinch-hooks replay m.json --to $URL --set status=Failed --set code=402 --fresh --repeat 10 --rate 5/s
  $ sinch-hooks replay m.json --to $URL --basic-auth sinch:s3cret --dry-run | sh

Exit codes: 0 all answered · 1 an answer missed --expect · 2 usage or input error ·
3 target unreachable, no answer, or token endpoint failed · 130 interrupted`,
    )
    .action(async (inputs: string[], opts: Record<string, unknown>) => {
      const { runReplay } = await import("../replay/command.js");
      ctx.setExitCode(await runReplay(inputs, opts as never, io, ctx.signal));
    });

  // send-test: flags stay strings; src/sendtest/index.ts checks them and reads SINCH_* from the env.
  program
    .command("send-test")
    .description("send one SMS batch through the Sinch SMS API with per-recipient delivery reports to your callback URL")
    .option("--to <number>", "the phone number that receives the test SMS, e.g. +15551234567")
    .option("--service-plan-id <id>", "Sinch service plan ID (default: env SINCH_SERVICE_PLAN_ID)")
    .option("--api-token <token>", "Sinch API token of that plan; never printed (default: env SINCH_API_TOKEN)")
    .option("--region <region>", "us, eu, au, br or ca: the region of the service plan (default: env SINCH_REGION, else us)")
    .option("--from <sender>", "sender number or ID of the service plan (default: the plan's default sender)")
    .option("--body <text>", "message text")
    .option("--callback-url <url>", "where Sinch sends the delivery reports, e.g. the Public URL of `sinch-hooks listen` (default: the plan's callback URL)")
    .option("--sinch-api-url <url>", "SMS API base URL instead of https://<region>.sms.api.sinch.com (default: env SINCH_SMS_API_URL)")
    .option("--json", "print the result as one JSON object")
    .addHelpText(
      "after",
      `
Examples:
  $ sinch-hooks send-test --to +15551234567 --callback-url https://abc.ngrok-free.app
  $ SINCH_SERVICE_PLAN_ID=… SINCH_API_TOKEN=… sinch-hooks send-test --to +15551234567 --region eu --callback-url $URL
  $ sinch-hooks listen --send-test +15551234567          the same, aimed at the listener's tunnel

Exit codes: 0 batch accepted · 2 usage error (missing credentials, bad number) · 3 Sinch refused it or was unreachable`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const { runSendTest } = await import("../sendtest/command.js");
      ctx.setExitCode(await runSendTest(opts as never, io));
    });

  // simulate-retries: flags stay strings; src/simulate/options.ts parses and checks them (and reads the env).
  program
    .command("simulate-retries")
    .description("play Sinch's retry schedule against your endpoint and report what Sinch would do, attempt by attempt")
    .argument("[inputs...]", "payload files, directories or `listen --record` recordings; - for stdin (default: the bundled mo_text sample)")
    .option("--to <url>", "your endpoint (default: env SINCH_HOOKS_TARGET)")
    .option("--schedule <schedule>", "sinch (default), doubling-gaps, or gaps such as 5s,10s,1m")
    .option("--max-retries <n>", "at most N retries after the first attempt, for any schedule")
    .option("--print-schedule", "print the schedule (attempt, offset, gap) and exit")
    .option("--timeout <duration>", "per-attempt timeout, e.g. 500ms or 10s (default: 10s; Sinch documents none)")
    .option("--clock <clock>", "virtual (default: no waiting), real, or scaled:N (N times faster)")
    .option("--count <n>", "run N copies of one callback, each on its own schedule, concurrently")
    .option("--rate <n/s>", "pace attempts at this rate; halve on 429, climb back on success (a model, not Sinch's algorithm)")
    .option("--reuse-signature", "repeat the first attempt's signature headers on every retry (default: sign each attempt afresh)")
    .option("--hmac-secret <secret>", "sign each attempt (default: env SINCH_HOOKS_HMAC_SECRET)")
    .option("--basic-auth <user:pass>", "send HTTP Basic credentials (default: env SINCH_HOOKS_BASIC_AUTH)")
    .option("--oauth-token-url <url>", "fetch a client-credentials token here and send it as Bearer")
    .option("--oauth-credentials <user:pass>", "client id and secret for --oauth-token-url (default: env SINCH_HOOKS_OAUTH_CREDENTIALS)")
    .option("-H, --header <header>", 'extra header "Name: value" (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option("--set <path=value>", "override a field before sending, e.g. status=Failed (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--fresh", "new ids, batch ids and timestamps (with --count: for every copy)")
    .option("--sns-envelope", SNS_ENVELOPE_HELP)
    .option("--sns-topic-arn <arn>", "TopicArn of the SNS envelope (default: a fake test topic)")
    .option("--sns-signing-key <pem-file>", "sign envelopes with this test RSA key (with --sns-cert-url)")
    .option("--sns-cert-url <url>", "SigningCertURL for test-signed envelopes: where your app finds the matching certificate")
    .option("--sns-signature-version <v>", "SNS SignatureVersion for test-signed envelopes: 1 (SHA1) or 2 (SHA256, default)")
    .option("--allow-invalid", "send payloads that fail validation too")
    .option("--expect <outcome>", "exit 1 unless every callback ends delivered, dropped or exhausted")
    .option("--expect-attempts <n>", "exit 1 unless every callback took exactly N attempts")
    .option("--json", "one JSON object per attempt, then one per callback, then a summary")
    .option("--junit <file>", "write a JUnit XML report, one testcase per callback with its timeline")
    .addHelpText(
      "after",
      `
Examples:
  $ sinch-hooks simulate-retries --to http://localhost:3000/sinch          the bundled mo_text sample, 16 attempts in about a second
  $ sinch-hooks simulate-retries --print-schedule --schedule doubling-gaps
  $ sinch-hooks simulate-retries m.json --to $URL --hmac-secret $SECRET --expect delivered --expect-attempts 3 --junit retries.xml
  $ sinch-hooks simulate-retries --to $URL --clock scaled:1000             the 22 h schedule in 82 s
  $ sinch-hooks simulate-retries m.json --to $URL --count 200 --rate 50/s --fresh

Exit codes: 0 done (expectations met) · 1 a callback missed --expect/--expect-attempts · 2 usage or input error ·
3 the target never answered at all (and no --expect given) · 130 interrupted (the report is still printed)`,
    )
    .action(async (inputs: string[], opts: Record<string, unknown>) => {
      const { runSimulateRetries } = await import("../simulate/command.js");
      ctx.setExitCode(await runSimulateRetries(inputs, opts as never, io, ctx.signal));
    });

  program
    .command("listen")
    .description("receive Sinch callbacks locally (optionally behind a public tunnel): verify, validate, show, forward, record")
    .addOption(new Option("--host <host>", "interface to bind").default("127.0.0.1"))
    .addOption(new Option("--port <port>", "port to listen on; 0 picks a free one").default(7462).argParser((v) => parsePort("--port", v)))
    .addOption(new Option("--max-body <size>", "largest accepted body (bigger answers 413)").default(1024 * 1024, "1mb").argParser((v) => parseByteSize("--max-body", v)))
    .addOption(new Option("--hmac-secret <secret>", "verify x-sinch-webhook-signature headers with this secret").env("SINCH_HOOKS_HMAC_SECRET"))
    .option("--strict-signatures", "also refuse (401) valid signatures with a stale timestamp or a reused nonce")
    .addOption(new Option("--signature-tolerance <seconds>", "timestamp tolerance for signatures; 0 disables").default(300).argParser((v) => parseSeconds("--signature-tolerance", v)))
    .addOption(new Option("--basic-auth <user:pass>", "require HTTP Basic credentials (RFC 7617)").argParser((v) => parseCredentials("--basic-auth", v)))
    .addOption(new Option("--oauth <user:pass>", "serve an OAuth 2.0 token endpoint for these client credentials and require Bearer tokens").argParser((v) => parseCredentials("--oauth", v)))
    .addOption(new Option("--oauth-token-ttl <seconds>", "lifetime of issued bearer tokens").default(3600).argParser((v) => parseSeconds("--oauth-token-ttl", v)))
    .option("--strict", "answer 400 to payloads that fail schema validation (default: 200 and a loud warning)")
    .option("--respond <spec>", "answer with a fixed status or a per-callback sequence, e.g. 503 or 503,503,200")
    .addOption(new Option("--forward-to <url>", "forward each callback byte-for-byte to your app and mirror its status").argParser((v) => parseUrl("--forward-to", v).toString()))
    .addOption(new Option("--forward-timeout <duration>", "how long to wait for your app").default(30_000, "30s").argParser((v) => parseDuration("--forward-timeout", v)))
    .option("--record <dir>", "write each callback as a replayable fixture file into DIR")
    .option("--redact", "mask phone numbers and message text in output and recordings")
    .option("-v, --verbose", "also print headers and the pretty JSON body")
    .addOption(new Option("--sns-confirm <mode>", "SNS subscription confirmations: auto (fetch SubscribeURL, AWS hosts only) or manual (print it)").choices(["auto", "manual"]).default("auto"))
    .addOption(new Option("--sns-forward <what>", "for callbacks arriving through SNS: forward the unwrapped callback or the SNS envelope").choices(["callback", "envelope"]).default("callback"))
    .addOption(new Option("--filter <types>", "only show these callback types (all are still answered and recorded)").argParser(parseList))
    .option("--json", "print one JSON object per event on stdout (first: {\"event\":\"ready\"})")
    .addOption(new Option("--tunnel <provider>", "public tunnel").choices(["auto", "ngrok", "ngrok-agent", "manual", "none"]).default("auto"))
    .addOption(new Option("--ngrok-authtoken <token>", "ngrok auth token").env("NGROK_AUTHTOKEN"))
    .option("--ngrok-domain <domain>", "reserved ngrok domain to use")
    .addOption(new Option("--ngrok-api <url>", "local API of a running ngrok agent").argParser((v) => parseUrl("--ngrok-api", v).toString().replace(/\/$/, "")))
    .addOption(new Option("--public-url <url>", "public URL of a tunnel or proxy you run yourself").argParser((v) => parseUrl("--public-url", v).toString().replace(/\/$/, "")))
    .option("--require-tunnel", "exit (3) if the public tunnel cannot be opened, instead of staying local-only")
    .addOption(new Option("--tunnel-timeout <duration>", "give up opening the tunnel after this long").default(15_000, "15s").argParser((v) => parseDuration("--tunnel-timeout", v)))
    .addOption(new Option("--inspect-port <port>", "port of the inspector web page on 127.0.0.1 (default: 7463, or a free port when 7463 is busy)").argParser((v) => parsePort("--inspect-port", v)))
    .option("--no-inspect", "do not serve the inspector web page")
    .addOption(new Option("--inspect-history <n>", "callbacks the inspector keeps in memory (default: 500)").argParser((v) => parsePositiveInt("--inspect-history", v)))
    .option("--send-test <number>", "once the tunnel is up, send a test SMS to NUMBER with this listener as callback_url (needs SINCH_SERVICE_PLAN_ID and SINCH_API_TOKEN)")
    .addOption(new Option("--ngrok-server-addr <host:port>").hideHelp())
    .addHelpText(
      "after",
      `
Examples:
  $ sinch-hooks listen
  $ sinch-hooks listen --hmac-secret $SECRET --forward-to http://localhost:3000/sinch
  $ sinch-hooks listen --respond 503,503,200 -v          watch Sinch retry a callback
  $ sinch-hooks listen --record ./recorded --redact
  $ sinch-hooks listen --oauth sinch:s3cret --oauth-token-ttl 600
  $ sinch-hooks listen --json | jq 'select(.event=="callback")'
  $ sinch-hooks listen --send-test +15551234567          text yourself; watch the delivery reports arrive

Tunnel (--tunnel auto): --public-url if given; else a running "ngrok http <port>" agent;
else the ngrok SDK when NGROK_AUTHTOKEN (or --ngrok-authtoken) is set; else local only.

Exit codes: 0 stopped cleanly · 2 usage error or port in use · 3 tunnel failed with --require-tunnel`,
    )
    .action(async (opts: Record<string, unknown>) => {
      ctx.forceExitWhenDone();
      const { runListen } = await import("../listen/command.js");
      ctx.setExitCode(await runListen(opts as never, io, ctx.signal, ctx.version));
    });

  return program;
}
