import { describe, expect, it } from "vitest";
import { chooseProvider } from "../../src/tunnel/choose-provider.js";
import type { TunnelChoice, TunnelProviderName } from "../../src/tunnel/types.js";

// tunnels.md §5.3 selection rules as a table.
describe("chooseProvider", () => {
  const url = "https://me.example.com";
  it.each<[TunnelChoice, string | undefined, boolean, boolean, TunnelProviderName]>([
    // rule 1: --public-url wins
    ["auto", url, true, true, "manual"],
    ["manual", url, false, false, "manual"],
    ["none", url, false, false, "manual"],
    // rule 1: explicit choice is taken as is, whatever was detected
    ["ngrok", undefined, true, false, "ngrok"],
    ["ngrok-agent", undefined, false, true, "ngrok-agent"],
    ["none", undefined, true, true, "none"],
    ["manual", undefined, false, false, "manual"],
    // rule 2: a running agent forwarding to our port beats the SDK
    ["auto", undefined, true, true, "ngrok-agent"],
    ["auto", undefined, true, false, "ngrok-agent"],
    // rule 3: token → SDK
    ["auto", undefined, false, true, "ngrok"],
    // rule 4: nothing → local only
    ["auto", undefined, false, false, "none"],
    ["auto", "", false, false, "none"],
  ])("choice=%s publicUrl=%s agentMatch=%s token=%s → %s", (choice, publicUrl, agentMatch, token, expected) => {
    expect(chooseProvider({ choice, publicUrl, agentMatch, token })).toBe(expected);
  });
});
