/**
 * The listen inspector (issue #9): a local web page showing callbacks as they arrive. Loaded lazily by
 * `listen` (listen/command.ts), so `--no-inspect` and the other commands never load it.
 */
export {
  startInspector,
  DEFAULT_INSPECT_PORT,
  DEFAULT_INSPECT_HISTORY,
  DEFAULT_INSPECT_BODY_BYTES,
  RESPOND_MODES,
  type Inspector,
  type InspectorOptions,
  type RespondMode,
  type RespondState,
} from "./server.js";
export { createHistory, type History, type StoredCallback, type CallbackEvent } from "./history.js";
export { checkHost, checkOrigin } from "./guard.js";
export { curlCommand, detail, fixtureOf, summarize, verdictOf, type CallbackDetail, type CallbackSummary } from "./views.js";
