import { DRAFT_07, MIME_TYPE_PATTERN, MO_REQUIRED, moCommonProperties, OPEN_ENUM_KEYWORD, schemaId, text, typeConst, type JsonSchema } from "./common.js";

/** MMS attachment (§2.3 `MmsMedia`). */
export const mmsMediaSchema: JsonSchema = {
  title: "MmsMedia",
  description: "One MMS attachment and the result of uploading it.",
  type: "object",
  required: ["content_type", "status", "code"],
  properties: {
    url: text("Download URL of the attachment."),
    content_type: {
      type: "string",
      pattern: MIME_TYPE_PATTERN,
      description: "MIME type of the attachment.",
      examples: ["image/png", "image/jpeg", "video/mp4"],
    },
    status: {
      type: "string",
      description: "Upload result. Open list: Sinch may add values.",
      // Open in all SDKs (§2.3): other values warn, they do not fail.
      [OPEN_ENUM_KEYWORD]: ["Uploaded", "Failed"],
    },
    code: {
      type: "integer",
      description: "Upload result code: 0 success, 1 content upload error, 2 cloud bucket error, 3 bucket key error.",
      [OPEN_ENUM_KEYWORD]: [0, 1, 2, 3],
    },
  },
};

/** MMS content (§2.3 `MmsMoBody`): every field is optional. */
export const mmsMoBodySchema: JsonSchema = {
  title: "MmsMoBody",
  description: "Content of an inbound MMS.",
  type: "object",
  properties: {
    subject: text("MMS subject."),
    message: text("Text part of the MMS."),
    media: { type: "array", description: "Attachments.", items: mmsMediaSchema },
  },
};

/** Inbound MMS, supported in the US, Canada, Australia and Puerto Rico since 2024-05-02 (§1, §2.3). */
export const moMediaSchema: JsonSchema = {
  $schema: DRAFT_07,
  $id: schemaId("mo_media"),
  title: "mo_media",
  description: "Inbound (MO) MMS. Unlike mo_text, body is an object.",
  type: "object",
  required: MO_REQUIRED,
  properties: {
    type: typeConst("mo_media", "Callback type: an inbound MMS."),
    ...moCommonProperties(),
    body: mmsMoBodySchema,
  },
};
