import { describe, expect, it } from "vitest";
import { describeDeliveryCode, statusKind } from "../../src/render/codes.js";

describe("describeDeliveryCode", () => {
  it("describes the normal code 0 as a confirmed Delivered", () => {
    expect(describeDeliveryCode(0)).toMatchObject({ code: 0, name: "No error", status: "Delivered", confirmed: true });
  });

  it.each([
    [400, "Queued", "Queued"],
    [401, "Dispatched", "Dispatched"],
    [402, "Message unroutable", "Aborted"],
    [403, "Internal error", "Aborted"],
    [404, "Temporary delivery failure", "Aborted"],
    [405, "Unmatched Parameter", "Aborted"],
    [406, "Internal Expiry", "Aborted"],
    [407, "Cancelled", "Cancelled"],
    [408, "Internal Reject", "Aborted"],
    [410, "Unmatched default originator", "Aborted"],
    [411, "Exceeded parts limit", "Aborted"],
    [412, "Unprovisioned region", "Aborted"],
  ])("code %i is %s with the documented status %s", (code, name, status) => {
    const info = describeDeliveryCode(code);
    expect(info).toMatchObject({ code, name, status, confirmed: true });
    expect(info?.description.length).toBeGreaterThan(10);
  });

  it.each([
    [413, "Blocked"],
    [414, "Bad Media"],
    [415, "Delivery report Rejected"],
    [416, "Delivery report Not Supported"],
    [417, "Delivery report Unreachable"],
    [418, "Delivery report Unrecognized"],
  ])("code %i (%s) has no status: Sinch has not confirmed the mapping", (code, name) => {
    expect(describeDeliveryCode(code)).toMatchObject({ code, name, status: null, confirmed: false });
  });

  it.each([409, 34, 1, -1, 399, 419, 412.5, Number.NaN, Number.POSITIVE_INFINITY])(
    "returns null for %s, which is not in Sinch's table",
    (code) => {
      expect(describeDeliveryCode(code)).toBeNull();
    },
  );

  it("returns frozen entries, so one caller cannot corrupt the table for the next", () => {
    const info = describeDeliveryCode(412);
    expect(Object.isFrozen(info)).toBe(true);
    expect(describeDeliveryCode(412)).toBe(info);
  });

  it("has every description on one line", () => {
    for (const code of [0, ...Array.from({ length: 19 }, (_, i) => 400 + i)]) {
      const info = describeDeliveryCode(code);
      if (info) expect(info.description).not.toMatch(/\n/);
    }
  });
});

describe("statusKind", () => {
  it.each([
    ["Delivered", "delivered"],
    ["Failed", "failed"],
    ["Rejected", "failed"],
    ["Aborted", "failed"],
    ["Expired", "failed"],
    ["Deleted", "failed"],
    ["Cancelled", "failed"],
    ["Queued", "pending"],
    ["Dispatched", "pending"],
    ["Unknown", "other"],
  ] as const)("%s is %s", (status, kind) => {
    expect(statusKind(status)).toBe(kind);
  });

  it.each(["DELIVERED", "delivered", "Canceled", "", " Delivered", "constructor", "__proto__", "toString"])(
    "%j is not a status Sinch sends, so it is unknown",
    (status) => {
      expect(statusKind(status)).toBe("unknown");
    },
  );
});
