/**
 * Which provider `listen` uses: tunnels.md §5.3 as a pure function, so the table is tested directly.
 * The caller does the I/O (agent probe, token lookup) and passes the answers in as booleans.
 */
import type { TunnelChoice, TunnelProviderName } from "./types.js";

export interface ChooseProviderInput {
  choice: TunnelChoice;
  publicUrl?: string | undefined;
  /** A running ngrok agent has a tunnel forwarding to our port (§5.3 rule 2). */
  agentMatch: boolean;
  /** An ngrok auth token was found (flag, env or agent config; §5.3 rule 3). */
  token: boolean;
}

export function chooseProvider(input: ChooseProviderInput): TunnelProviderName {
  // Rule 1: a URL the user runs themselves beats anything we could open.
  if (input.publicUrl) return "manual";
  // Rule 1: an explicit --tunnel is taken as is; its failures are fatal (handled by the caller).
  if (input.choice !== "auto") return input.choice;
  // Rule 2: reuse the user's `ngrok http <port>`; a second SDK session would hit ERR_NGROK_108 (§1.5).
  if (input.agentMatch) return "ngrok-agent";
  // Rule 3: the SDK needs a token, else it dials unauthenticated and fails (§1.4).
  if (input.token) return "ngrok";
  // Rule 4: local only, with a non-error notice. Third-party tunnels are never auto-selected.
  return "none";
}
