import { DELIVERY_STATUSES } from "./types.js";
import { deliveryCode, deliveryStatus, DRAFT_07, msisdn, schemaId, text, typeConst, type JsonSchema } from "./common.js";

/** One status/code bucket of a batch report (§2.4 `MessageDeliveryStatus`). */
export const messageDeliveryStatusSchema: JsonSchema = {
  title: "MessageDeliveryStatus",
  description: "How many messages of the batch currently have this status and code.",
  type: "object",
  required: ["code", "status", "count"],
  properties: {
    code: deliveryCode,
    status: deliveryStatus(DELIVERY_STATUSES),
    count: { type: "integer", minimum: 1, description: "Messages currently with this code; at least 1." },
    recipients: {
      type: "array",
      // The Java SDK models this as a Set (§2.4), so a repeated number is an error.
      uniqueItems: true,
      items: msisdn("A recipient with this status."),
      description: "Recipients with this status; present only in full reports.",
    },
  },
};

/**
 * Batch delivery report (§2.4). SMS and MMS share the shape; only `type` differs. A summary and a
 * full report differ only in whether `recipients` is present; no field names the kind.
 */
export function deliveryReportSchema(type: "delivery_report_sms" | "delivery_report_mms"): JsonSchema {
  const kind = type === "delivery_report_sms" ? "SMS" : "MMS";
  return {
    $schema: DRAFT_07,
    $id: schemaId(type),
    title: type,
    description: `Batch delivery report for an ${kind} batch sent with delivery_report "summary" or "full".`,
    type: "object",
    required: ["type", "batch_id", "statuses", "total_message_count"],
    properties: {
      type: typeConst(type, `Callback type: batch delivery report for ${kind}.`),
      batch_id: text("ID of the batch this report belongs to."),
      statuses: {
        type: "array",
        description: "Counts per status and code; only codes with at least one recipient are listed.",
        items: messageDeliveryStatusSchema,
      },
      total_message_count: {
        type: "integer",
        minimum: 0,
        // int32 in the SDK models (§2.4).
        maximum: 2_147_483_647,
        description: "Total number of messages in the batch.",
      },
      client_reference: text("client_reference of the batch, if it was set."),
    },
  };
}
