/**
 * The numeric `code` of Sinch delivery reports, and how a simplified `status` should look.
 *
 * `code` mixes Sinch's own codes (400–418), SMPP status-report error codes and MMS codes
 * (reference §3.2). Only the Sinch codes and the normal `0` are tabulated here: the SMPP and MMS
 * tables are not published alongside Sinch's, so any other value is reported as "not in Sinch's
 * table" by the caller rather than guessed at.
 */

export interface DeliveryCodeInfo {
  readonly code: number;
  readonly name: string;
  readonly description: string;
  /**
   * The simplified `status` Sinch documents for this code, or null where no public source states
   * one (413–418). Null rather than a guess, so nothing downstream treats a guess as a fact.
   */
  readonly status: string | null;
  /** False when the status mapping of this code is unconfirmed. */
  readonly confirmed: boolean;
}

// [code, name, mapped status (null = unconfirmed), description]
// Names follow Sinch's own labels so they can be searched for in Sinch's docs; the descriptions
// are ours, kept short enough for one terminal line.
const TABLE: ReadonlyArray<readonly [number, string, string | null, string]> = [
  [0, "No error", "Delivered", "The normal code of a delivered message"],
  [400, "Queued", "Queued", "Waiting in Sinch's queue; sent on at the account's rate"],
  [401, "Dispatched", "Dispatched", "Handed to the SMSC; no delivery receipt yet"],
  [402, "Message unroutable", "Aborted", "The SMSC refused it; resending will most likely fail again"],
  [403, "Internal error", "Aborted", "Failed because of an unexpected error at Sinch"],
  [404, "Temporary delivery failure", "Aborted", "A temporary failure; sending again may work"],
  [405, "Unmatched Parameter", "Aborted", "A message parameter has no value for this recipient"],
  [406, "Internal Expiry", "Aborted", "Its expiry passed before it reached the SMSC"],
  [407, "Cancelled", "Cancelled", "Cancelled by the sender before it reached the SMSC"],
  [408, "Internal Reject", "Aborted", "The SMSC refused it; resending will most likely fail again"],
  // 409 appears in none of Sinch's lists, so it is deliberately absent.
  [410, "Unmatched default originator", "Aborted", "Sent without a sender, and no default originator matches this recipient"],
  [411, "Exceeded parts limit", "Aborted", "Needs more parts than the batch's max_number_of_message_parts"],
  [412, "Unprovisioned region", "Aborted", "The account is not set up to send to this region"],
  [413, "Blocked", null, "The account is blocked (possibly out of credit); contact Sinch support"],
  [414, "Bad Media", null, "MMS: the media URL could not be fetched or answered badly"],
  [415, "Delivery report Rejected", null, "MMS: the MMS gateway or mobile network rejected it"],
  [416, "Delivery report Not Supported", null, "MMS: reached the MMSC, which does not support it"],
  [417, "Delivery report Unreachable", null, "MMS: reached the MMSC; network or subscriber unreachable"],
  [418, "Delivery report Unrecognized", null, "MMS: reached the MMSC; the handset does not recognise the content"],
];

const BY_CODE: ReadonlyMap<number, DeliveryCodeInfo> = new Map(
  TABLE.map(([code, name, status, description]) => [
    code,
    Object.freeze({ code, name, description, status, confirmed: status !== null }),
  ]),
);

/**
 * What Sinch's table says about a delivery `code`, or null when the code is not in it (an SMPP or
 * MMS code, a future Sinch code, or garbage). The result is shared and frozen: do not mutate it.
 */
export function describeDeliveryCode(code: number): DeliveryCodeInfo | null {
  return BY_CODE.get(code) ?? null;
}

export type StatusKind = "delivered" | "failed" | "pending" | "other" | "unknown";

// Exact, case-sensitive names: callbacks and fixtures use title case (reference §3.1). Anything
// else ("DELIVERED", "delivered") is reported as unknown so it stands out instead of blending in.
// A Map, not an object literal, so "constructor" or "__proto__" cannot match an inherited key.
const KINDS: ReadonlyMap<string, StatusKind> = new Map<string, StatusKind>([
  ["Delivered", "delivered"],
  ["Failed", "failed"],
  ["Rejected", "failed"],
  ["Aborted", "failed"],
  ["Expired", "failed"],
  ["Deleted", "failed"],
  ["Cancelled", "failed"],
  ["Queued", "pending"],
  ["Dispatched", "pending"],
  // A final status meaning "no usable receipt": neither good nor bad news.
  ["Unknown", "other"],
]);

/** Which family a simplified `status` belongs to; "unknown" for strings Sinch does not list. */
export function statusKind(status: string): StatusKind {
  return KINDS.get(status) ?? "unknown";
}
