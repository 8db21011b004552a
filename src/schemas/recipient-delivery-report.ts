import { DELIVERY_STATUSES } from "./types.js";
import { deliveryCode, deliveryStatus, DRAFT_07, msisdn, OPEN_ENUM_KEYWORD, schemaId, text, timestamp, typeConst, type JsonSchema } from "./common.js";

/**
 * Per-recipient delivery report (§2.5): one per status change (`per_recipient`) or one final
 * status per recipient (`per_recipient_final`). SMS and MMS share the shape.
 */
export function recipientDeliveryReportSchema(type: "recipient_delivery_report_sms" | "recipient_delivery_report_mms"): JsonSchema {
  const kind = type === "recipient_delivery_report_sms" ? "SMS" : "MMS";
  return {
    $schema: DRAFT_07,
    $id: schemaId(type),
    title: type,
    description: `Delivery report for one recipient of an ${kind} batch sent with delivery_report "per_recipient" or "per_recipient_final".`,
    type: "object",
    required: ["type", "batch_id", "recipient", "code", "status", "at"],
    properties: {
      type: typeConst(type, `Callback type: per-recipient delivery report for ${kind}.`),
      batch_id: text("ID of the batch."),
      recipient: msisdn("The recipient this report is about."),
      code: deliveryCode,
      status: deliveryStatus(DELIVERY_STATUSES),
      at: timestamp("When Sinch created the report."),
      operator_status_at: timestamp("Timestamp from the SMSC's delivery receipt."),
      client_reference: text("client_reference of the batch, if it was set."),
      applied_originator: text("Default originator used, when a default originator pool is configured and the batch had no from."),
      encoding: {
        type: "string",
        description: "Encoding used; present only when smart/auto encoding is enabled. Open list.",
        [OPEN_ENUM_KEYWORD]: ["GSM", "UNICODE"],
      },
      number_of_message_parts: {
        type: "integer",
        description: "Number of parts; present only when max_number_of_message_parts was set on the batch.",
      },
      operator: text("Operator used for delivery, if Sinch enabled this on the account."),
    },
  };
}
