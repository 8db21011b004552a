/**
 * TypeScript shapes of the seven Sinch SMS callbacks, as they appear on the wire (timestamps stay
 * ISO-8601 strings; nothing is revived into Date objects).
 *
 * Source: shared/reference/sinch-callbacks.md §2 (fields, required markers) and §3 (statuses, codes).
 * Optional fields carry `?`; "required" follows the Java SDK's "Field is required" markers (§2).
 */

/** Every callback `type` Sinch's SMS API sends, in the order the CLI lists them (§2). */
export const CALLBACK_TYPES = [
  "mo_text",
  "mo_binary",
  "mo_media",
  "delivery_report_sms",
  "delivery_report_mms",
  "recipient_delivery_report_sms",
  "recipient_delivery_report_mms",
] as const;

export type CallbackType = (typeof CALLBACK_TYPES)[number];

/** Intermediate statuses only appear in per-recipient reports (§1, §3.1). */
export const INTERMEDIATE_STATUSES = ["Queued", "Dispatched"] as const;

export const FINAL_STATUSES = ["Aborted", "Cancelled", "Rejected", "Deleted", "Delivered", "Failed", "Expired", "Unknown"] as const;

/** The ten title-case statuses the docs and SDKs agree on (§3.1), intermediate first. */
export const DELIVERY_STATUSES = [...INTERMEDIATE_STATUSES, ...FINAL_STATUSES] as const;

/**
 * `(string & {})` keeps editor completion for the known values while accepting any string:
 * every SDK treats these enums as open (§3.1), so a new value from Sinch must still type-check.
 */
export type OpenString<Known extends string> = Known | (string & {});

export type DeliveryStatus = OpenString<(typeof DELIVERY_STATUSES)[number]>;

/** Detailed status code: SMPP, MMS or Sinch 400-418 codes; an open integer (§3.2). */
export type DeliveryCode = number;

/** Fields every inbound (MO) message carries (§2.1; shared by §2.2 and §2.3). */
export interface MoCommon {
  /** ID of this inbound message (ULID-like in Sinch's examples). */
  id: string;
  /** MSISDN that sent the message, with or without a leading `+`. */
  from: string;
  /** Sinch number or short code that received the message. */
  to: string;
  /** When Sinch received the message (ISO-8601, with or without milliseconds). */
  received_at: string;
  /** When the handset sent it; only when the operator provides it. */
  sent_at?: string;
  /** MCC/MNC of the sender's operator, if known. Free text: the doc sample holds `"string"`. */
  operator_id?: string;
  /** `client_reference` of the outbound message this answers; needs account-level enablement. */
  client_reference?: string;
}

export interface MoText extends MoCommon {
  type: "mo_text";
  /** Message text, 0 to 2000 characters. */
  body: string;
}

export interface MoBinary extends MoCommon {
  type: "mo_binary";
  /** Base64 message content; with `udh`, at most 140 bytes once decoded (§2.2). */
  body: string;
  /** User Data Header as hex digits. */
  udh: string;
}

export type MmsMediaStatus = OpenString<"Uploaded" | "Failed">;

/** One MMS attachment (§2.3). */
export interface MmsMedia {
  url?: string;
  /** MIME type such as `image/png`. */
  content_type: string;
  status: MmsMediaStatus;
  /** 0 success, 1 content upload error, 2 cloud bucket error, 3 bucket key error. */
  code: number;
}

export interface MmsMoBody {
  subject?: string;
  message?: string;
  media?: MmsMedia[];
}

export interface MoMedia extends MoCommon {
  type: "mo_media";
  body: MmsMoBody;
}

/** One status/code bucket of a batch report (§2.4). */
export interface MessageDeliveryStatus {
  code: DeliveryCode;
  status: DeliveryStatus;
  /** Messages currently with this code; at least 1. */
  count: number;
  /** Present only in `full` reports; unique numbers. */
  recipients?: string[];
}

/** Batch delivery report; the SMS and MMS variants share one shape (§2.4). */
export interface DeliveryReport {
  type: "delivery_report_sms" | "delivery_report_mms";
  batch_id: string;
  statuses: MessageDeliveryStatus[];
  /** Total messages in the batch; an int32 >= 0. */
  total_message_count: number;
  client_reference?: string;
}

export type RecipientEncoding = OpenString<"GSM" | "UNICODE">;

/** One report per recipient status change (`per_recipient`) or final status (`per_recipient_final`) (§2.5). */
export interface RecipientDeliveryReport {
  type: "recipient_delivery_report_sms" | "recipient_delivery_report_mms";
  batch_id: string;
  recipient: string;
  code: DeliveryCode;
  status: DeliveryStatus;
  /** When Sinch created the report. */
  at: string;
  /** Timestamp from the SMSC's delivery receipt. */
  operator_status_at?: string;
  client_reference?: string;
  applied_originator?: string;
  encoding?: RecipientEncoding;
  number_of_message_parts?: number;
  operator?: string;
}

export type SmsCallback = MoText | MoBinary | MoMedia | DeliveryReport | RecipientDeliveryReport;

export function isCallbackType(value: unknown): value is CallbackType {
  return typeof value === "string" && (CALLBACK_TYPES as readonly string[]).includes(value);
}
