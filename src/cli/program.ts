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
  parseSeconds,
  parseUrl,
} from "./parse-options.js";

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
    .addOption(new Option("--filter <types>", "only show these callback types (all are still answered and recorded)").argParser(parseList))
    .option("--json", "print one JSON object per event on stdout (first: {\"event\":\"ready\"})")
    .addOption(new Option("--tunnel <provider>", "public tunnel").choices(["auto", "ngrok", "ngrok-agent", "manual", "none"]).default("auto"))
    .addOption(new Option("--ngrok-authtoken <token>", "ngrok auth token").env("NGROK_AUTHTOKEN"))
    .option("--ngrok-domain <domain>", "reserved ngrok domain to use")
    .addOption(new Option("--ngrok-api <url>", "local API of a running ngrok agent").argParser((v) => parseUrl("--ngrok-api", v).toString().replace(/\/$/, "")))
    .addOption(new Option("--public-url <url>", "public URL of a tunnel or proxy you run yourself").argParser((v) => parseUrl("--public-url", v).toString().replace(/\/$/, "")))
    .option("--require-tunnel", "exit (3) if the public tunnel cannot be opened, instead of staying local-only")
    .addOption(new Option("--tunnel-timeout <duration>", "give up opening the tunnel after this long").default(15_000, "15s").argParser((v) => parseDuration("--tunnel-timeout", v)))
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
