import type { CallbackType } from "./types.js";
import type { JsonSchema } from "./common.js";
import { deliveryReportSchema } from "./delivery-report.js";
import { moBinarySchema } from "./mo-binary.js";
import { moMediaSchema } from "./mo-media.js";
import { moTextSchema } from "./mo-text.js";
import { recipientDeliveryReportSchema } from "./recipient-delivery-report.js";

export * from "./types.js";
export type { JsonSchema } from "./common.js";
export { MO_BINARY_MAX_BYTES, OPEN_ENUM_KEYWORD, PATTERN_DESCRIPTIONS } from "./common.js";

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The discriminator map: callback `type` → its draft-07 JSON Schema. Each schema is self-contained
 * (no $ref), so it can be written to a file and used by any validator. Frozen, because the
 * validators compiled from them are cached for the life of the process.
 */
export const schemas: Readonly<Record<CallbackType, JsonSchema>> = deepFreeze({
  mo_text: moTextSchema,
  mo_binary: moBinarySchema,
  mo_media: moMediaSchema,
  delivery_report_sms: deliveryReportSchema("delivery_report_sms"),
  delivery_report_mms: deliveryReportSchema("delivery_report_mms"),
  recipient_delivery_report_sms: recipientDeliveryReportSchema("recipient_delivery_report_sms"),
  recipient_delivery_report_mms: recipientDeliveryReportSchema("recipient_delivery_report_mms"),
});
