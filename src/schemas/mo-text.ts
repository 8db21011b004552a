import { DRAFT_07, MO_REQUIRED, moCommonProperties, schemaId, typeConst, type JsonSchema } from "./common.js";

/** Inbound text SMS (shared/reference/sinch-callbacks.md §2.1). */
export const moTextSchema: JsonSchema = {
  $schema: DRAFT_07,
  $id: schemaId("mo_text"),
  title: "mo_text",
  description: "Inbound (MO) text SMS sent to your Sinch number or short code.",
  type: "object",
  required: MO_REQUIRED,
  properties: {
    type: typeConst("mo_text", "Callback type: a regular inbound SMS."),
    ...moCommonProperties(),
    body: {
      type: "string",
      // "string [ 0 .. 2000 ] characters" in the Webhooks doc. ajv counts Unicode code points, so an
      // emoji counts as one character, not two UTF-16 units.
      maxLength: 2000,
      description: "Message text, 0 to 2000 characters; UTF-8, emoji occur.",
      examples: ["Hello John! 👋"],
    },
  },
};
