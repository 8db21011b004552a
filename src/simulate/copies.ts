/**
 * `--count N`: N copies of one callback, each run through its own schedule. Copies are byte-identical,
 * as N distinct callbacks with the same content would be; with --fresh each copy gets its own ids and
 * timestamps (the same `freshen` loadCallbacks uses), so an endpoint that de-duplicates on `id` or
 * `batch_id` sees N callbacks rather than one callback and N−1 duplicates.
 */
import { freshen } from "../fixtures/samples.js";
import type { Io } from "../io.js";
import type { LoadOptions, OutgoingCallback } from "../send/inputs.js";
import { applyOverrides } from "../send/overrides.js";

export function copyCallbacks(cb: OutgoingCallback, count: number, io: Pick<Io, "now">, opts: Pick<LoadOptions, "fresh" | "overrides">): OutgoingCallback[] {
  if (count === 1) return [cb];
  return Array.from({ length: count }, (_, i) => {
    const name = `${cb.name} #${i + 1}`;
    if (opts.fresh !== true || cb.payload === undefined) return { ...cb, name };
    let payload = freshen(cb.payload, { now: io.now() });
    // --set applies after --fresh, as in loadCallbacks, so an override of a freshened field still wins.
    if (opts.overrides?.length) payload = applyOverrides(payload, opts.overrides);
    return { ...cb, name, payload, body: Buffer.from(JSON.stringify(payload)) };
  });
}
