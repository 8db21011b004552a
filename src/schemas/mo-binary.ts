import {
  BASE64_PATTERN,
  DRAFT_07,
  HEX_PATTERN,
  MO_BINARY_MAX_BYTES,
  MO_REQUIRED,
  moCommonProperties,
  schemaId,
  typeConst,
  type JsonSchema,
} from "./common.js";

/**
 * Inbound binary SMS (§2.2). The SDK parsers check neither encoding, but the model documents Base64
 * and hex, so we do. The 140-byte limit on body + udh after decoding is beyond JSON Schema; it is
 * checked in validate.ts.
 */
export const moBinarySchema: JsonSchema = {
  $schema: DRAFT_07,
  $id: schemaId("mo_binary"),
  title: "mo_binary",
  description: `Inbound (MO) binary SMS. body (Base64) and udh (hex) together are at most ${MO_BINARY_MAX_BYTES} bytes after decoding.`,
  type: "object",
  required: [...MO_REQUIRED, "udh"],
  properties: {
    type: typeConst("mo_binary", "Callback type: a binary inbound SMS."),
    ...moCommonProperties(),
    body: {
      type: "string",
      pattern: BASE64_PATTERN,
      description: `Message content, Base64. With udh, at most ${MO_BINARY_MAX_BYTES} bytes once decoded.`,
      examples: ["VGhpcyBpcyB0aGUgU01TIGJvZHk="],
    },
    udh: {
      type: "string",
      pattern: HEX_PATTERN,
      description: "User Data Header, hex digits.",
      examples: ["5573657244617461486561646572"],
    },
  },
};
