/**
 * The one place that knows about `process`: builds the program, installs signal handling,
 * renders errors once and turns them into exit codes.
 */
import { readFileSync } from "node:fs";
import { CommanderError } from "commander";
import { EXIT, UsageError, isSinchHooksError } from "../errors.js";
import { colorEnabled, createRealIo, type Io } from "../io.js";
import { renderError } from "../render/error.js";
import { createTheme } from "../render/theme.js";
import { createProgram } from "./program.js";

export interface MainOptions {
  io?: Io;
  /** Aborted to ask a long-running command (listen) to shut down. Defaults to SIGINT/SIGTERM handling. */
  signal?: AbortSignal;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** Translates commander's own parse errors into our usage errors, naming the flag and a next step. */
function fromCommander(err: CommanderError, argv: string[]): UsageError {
  const message = err.message.replace(/^error:\s*/, "");
  const sub = argv.find((a) => !a.startsWith("-"));
  const help = sub ? `sinch-hooks ${sub} --help` : "sinch-hooks --help";
  return new UsageError(message, `run \`${help}\` for the options and examples`, `SH_USAGE_${err.code.replace(/^commander\./, "").replace(/[^a-zA-Z]/g, "_").toUpperCase()}`);
}

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? createRealIo();
  const theme = createTheme(colorEnabled(io.env, io.stderr));
  const debug = io.env.SINCH_HOOKS_DEBUG === "1";

  let signal = options.signal;
  let cleanupSignals: (() => void) | undefined;
  if (!signal) {
    // First Ctrl-C: graceful shutdown (finish in-flight requests, flush recordings, close the tunnel).
    // Second Ctrl-C: exit at once.
    const controller = new AbortController();
    signal = controller.signal;
    const onSignal = (name: NodeJS.Signals): void => {
      if (controller.signal.aborted) {
        io.stderr.write("\nStopping now (second signal).\n");
        process.exit(name === "SIGINT" ? 130 : 143);
      }
      controller.abort(name);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    cleanupSignals = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    };
  }

  let exitCode: number = EXIT.ok;
  // In a real process, make sure we exit once the command is done even if a library left a handle open
  // (a hung @ngrok/ngrok connect never settles and keeps Node alive: shared/reference/tunnels.md §1.5).
  // Only long-running commands ask for it: a short command piping output must never be cut off.
  let forceExit = false;
  const ensureExit = (): void => {
    if (options.signal || !forceExit) return;
    setTimeout(() => process.exit(exitCode), 1_000).unref();
  };
  const program = createProgram({ io, signal, version: packageVersion(), setExitCode: (c) => (exitCode = c), forceExitWhenDone: () => (forceExit = true) });
  try {
    await program.parseAsync(argv, { from: "user" });
    ensureExit();
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through exitOverride with exit code 0.
      if (err.exitCode === 0) return EXIT.ok;
      // No subcommand: commander already printed the help to stderr.
      if (err.code === "commander.help") return EXIT.usage;
      io.stderr.write(renderError(fromCommander(err, argv), theme, { debug }));
      return EXIT.usage;
    }
    io.stderr.write(renderError(err, theme, { debug }));
    exitCode = isSinchHooksError(err) ? err.exitCode : EXIT.internal;
    ensureExit();
    return exitCode;
  } finally {
    cleanupSignals?.();
  }
}
