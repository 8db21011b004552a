// @ts-check
/**
 * The sinch-hooks inspector page. Plain browser JavaScript, no build step, no dependencies.
 *
 * Everything shown here came from an HTTP request someone else sent to the tunnel, so it is put into
 * the page with textContent only, never as markup (the server's CSP also forbids inline script).
 * State lives in the server; the page mirrors it from one server-sent-event stream whose first event
 * is a full snapshot, so a reconnect simply starts over. Loaded as a module: its names stay private.
 */
/**
 * @typedef {{ word: string, tone: "ok" | "warn" | "bad" }} Verdict
 * @typedef {{ id: number, group: number, time: string, method: string, path: string, type: string, fields: string,
 *   verdict: Verdict, status: number, statusTone: "ok" | "warn" | "bad", statusSource: string, attempt: number,
 *   sinch: { outcome: string, text: string } }} Summary
 * @typedef {{ ok: boolean, status: number | null, latencyMs: number, error: string | null }} ForwardView
 * @typedef {{ pointer: string, message: string, keyword: string }} Issue
 * @typedef {Summary & { accepted: boolean, latencyMs: number, headers: Record<string, string>,
 *   body: { text: string | null, base64: string | null, bytes: number, redacted: boolean },
 *   parseError: { message: string, line: number, column: number } | null, errors: Issue[], warnings: Issue[],
 *   auth: { scheme: string, ok: boolean, message: string, warnings: string[] }[], forward: ForwardView | null,
 *   retry: string | null, recordPath: string | null,
 *   deliveries: { id: number, time: string, status: number, attempt: number }[],
 *   replays: (ForwardView & { at: string })[] }} Detail
 * @typedef {{ version: string | null, listenerUrl: string, publicUrl: string | null, forwardTo: string | null,
 *   canReplay: boolean, redact: boolean, history: { max: number, size: number } }} Info
 * @typedef {{ mode: string, active: number[] | null, configured: number[] | null }} RespondState
 */

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @type {Map<number, Summary>} every delivery still in the server's history */
const entries = new Map();
/** @type {Info | null} */
let info = null;
/** @type {number | null} the selected group (one row of the list) */
let selectedGroup = null;
/** @type {number | null} a delivery picked in the deliveries table; null follows the group's latest */
let pinnedId = null;
/** @type {Detail | null} */
let shown = null;
let detailRequest = 0;
/** Set when a "Show" button was used, so focus lands on the new row instead of being lost in a re-render. */
let refocusDelivery = false;

const SYMBOL = { ok: "✓", warn: "!", bad: "✗" };

/**
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @param {number} n */
const p = (n) => String(n).padStart(2, "0");

/** @param {string} iso */
function clock(iso) {
  const d = new Date(iso);
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** @param {number} ms */
function millis(ms) {
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/** Groups, newest activity first; each lists its deliveries oldest first. */
function groups() {
  /** @type {Map<number, Summary[]>} */
  const byGroup = new Map();
  for (const s of entries.values()) {
    const list = byGroup.get(s.group);
    if (list) list.push(s);
    else byGroup.set(s.group, [s]);
  }
  const out = [...byGroup.entries()].map(([group, list]) => ({ group, list: list.toSorted((a, b) => a.id - b.id) }));
  return out.toSorted((a, b) => /** @type {Summary} */ (b.list.at(-1)).id - /** @type {Summary} */ (a.list.at(-1)).id);
}

// ---- list ---------------------------------------------------------------------------------------

const list = /** @type {HTMLUListElement} */ ($("callbacks"));

function renderList() {
  const all = groups();
  const hadFocus = list.contains(document.activeElement);
  if (selectedGroup !== null && !all.some((g) => g.group === selectedGroup)) {
    selectedGroup = null;
    pinnedId = null;
  }
  const fragment = document.createDocumentFragment();
  for (const { group, list: deliveries } of all) {
    const latest = /** @type {Summary} */ (deliveries.at(-1));
    const li = el("li", "callback");
    li.id = `group-${group}`;
    li.setAttribute("role", "option");
    li.dataset.group = String(group);
    const selected = group === selectedGroup;
    li.setAttribute("aria-selected", String(selected));
    li.tabIndex = selected || (selectedGroup === null && fragment.childNodes.length === 0) ? 0 : -1;

    const line1 = el("span", "line");
    line1.append(el("time", "time", clock(latest.time)), el("span", "type", latest.type));
    if (deliveries.length > 1) line1.append(el("span", "retries", `${deliveries.length} deliveries`));
    const line2 = el("span", "line");
    line2.append(
      el("span", `verdict tone-${latest.verdict.tone}`, `${SYMBOL[latest.verdict.tone]} ${latest.verdict.word}`),
      el("span", `status tone-${latest.statusTone}`, `answered ${latest.status}`),
    );
    const fields = el("span", "fields", latest.fields || latest.path);
    li.append(line1, line2, fields);
    fragment.append(li);
  }
  list.replaceChildren(fragment);
  const count = entries.size;
  $("count").textContent = count === 0 ? "" : `(${all.length} shown, ${count} deliver${count === 1 ? "y" : "ies"})`;
  $("empty").hidden = count > 0;
  if (hadFocus) focusedOption()?.focus();
}

function options() {
  return /** @type {HTMLElement[]} */ ([...list.querySelectorAll('[role="option"]')]);
}

function focusedOption() {
  return /** @type {HTMLElement | null} */ (list.querySelector('[tabindex="0"]'));
}

/**
 * @param {HTMLElement} option
 * @param {{ focus?: boolean }} [opts]
 */
function select(option, opts = {}) {
  const group = Number(option.dataset.group);
  if (group !== selectedGroup) pinnedId = null;
  selectedGroup = group;
  for (const o of options()) {
    const on = o === option;
    o.setAttribute("aria-selected", String(on));
    o.tabIndex = on ? 0 : -1;
  }
  if (opts.focus !== false) option.focus();
  option.scrollIntoView({ block: "nearest" });
  void loadDetail();
}

list.addEventListener("click", (event) => {
  const option = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (event.target).closest('[role="option"]'));
  if (option) select(option);
});

list.addEventListener("keydown", (event) => {
  const all = options();
  if (all.length === 0) return;
  const current = /** @type {HTMLElement | null} */ (document.activeElement?.closest('[role="option"]') ?? null);
  const i = current ? all.indexOf(current) : -1;
  /** @type {HTMLElement | undefined} */
  let next;
  if (event.key === "ArrowDown") next = all[Math.min(i + 1, all.length - 1)];
  else if (event.key === "ArrowUp") next = all[Math.max(i - 1, 0)];
  else if (event.key === "Home") next = all[0];
  else if (event.key === "End") next = all[all.length - 1];
  else if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    if (current) {
      if (Number(current.dataset.group) !== selectedGroup) select(current);
      $("detail-heading").focus();
    }
    return;
  } else return;
  event.preventDefault();
  if (next) select(next);
});

// Escape from anywhere in the detail pane goes back to the list, where the arrow keys work.
$("detail").addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const option = focusedOption();
  if (option) {
    event.preventDefault();
    option.focus();
  }
});

// ---- detail -------------------------------------------------------------------------------------

function currentId() {
  if (pinnedId !== null && entries.has(pinnedId)) return pinnedId;
  const g = groups().find((x) => x.group === selectedGroup);
  return g ? /** @type {Summary} */ (g.list.at(-1)).id : null;
}

async function loadDetail() {
  const id = currentId();
  if (id === null) return renderDetail(null);
  const ticket = ++detailRequest;
  try {
    const res = await fetch(`/api/callbacks/${id}`, { headers: { accept: "application/json" } });
    if (ticket !== detailRequest) return;
    if (!res.ok) return renderDetail(null);
    renderDetail(/** @type {Detail} */ (await res.json()));
  } catch {
    if (ticket === detailRequest) renderDetail(null);
  }
}

/**
 * @param {HTMLElement} dl
 * @param {string} term
 * @param {string | Node} value
 */
function fact(dl, term, value) {
  const row = el("div");
  const dd = el("dd");
  dd.append(value);
  row.append(el("dt", undefined, term), dd);
  dl.append(row);
}

/**
 * @param {"ok" | "warn" | "bad"} tone
 * @param {string} text
 */
function toned(tone, text) {
  return el("span", `tone-${tone}`, `${SYMBOL[tone]} ${text}`);
}

/** @param {ForwardView} f */
function describeForward(f) {
  if (f.ok) return toned(f.status !== null && f.status < 300 ? "ok" : "warn", `app answered ${f.status} in ${millis(f.latencyMs)}`);
  return toned("bad", `app unreachable: ${f.error ?? "forward failed"} after ${millis(f.latencyMs)}`);
}

/** @param {Detail | null} d */
function renderDetail(d) {
  shown = d;
  $("detail-placeholder").hidden = d !== null;
  $("detail-body").hidden = d === null;
  if (!d) {
    $("detail-heading").textContent = "No callback selected";
    return;
  }
  const retryNote = d.attempt > 1 ? ` (retry #${d.attempt - 1})` : "";
  $("detail-heading").textContent = `${d.type}, delivery ${d.attempt}${retryNote} at ${clock(d.time)}`;

  const facts = $("facts");
  facts.replaceChildren();
  fact(facts, "Verdict", toned(d.verdict.tone, d.verdict.word));
  const source = d.statusSource === "respond" ? " (response mode)" : d.statusSource === "app" ? " (your app's status)" : d.statusSource === "app-unreachable" ? " (app unreachable)" : "";
  fact(facts, "Answered", toned(d.statusTone, `${d.status}${source} in ${millis(d.latencyMs)}`));
  fact(facts, "Sinch then", d.sinch.text.replace(/^→ /, ""));
  if (d.retry) fact(facts, "Retry", d.retry);
  fact(facts, "Request", `${d.method} ${d.path}`);
  fact(facts, "Received", new Date(d.time).toLocaleString());
  if (d.fields) fact(facts, "Key fields", d.fields);
  if (d.forward) fact(facts, "Forward", describeForward(d.forward));
  if (d.recordPath) fact(facts, "Recorded", d.recordPath);

  const checks = $("checks");
  checks.replaceChildren();
  if (d.parseError) checks.append(el("li", "tone-bad", `✗ body is not JSON: ${d.parseError.message} (line ${d.parseError.line}, column ${d.parseError.column})`));
  for (const a of d.auth) {
    checks.append(el("li", a.ok ? "tone-ok" : "tone-bad", `${a.ok ? "✓" : "✗"} ${a.scheme}: ${a.message}`));
    for (const w of a.warnings) checks.append(el("li", "tone-warn", `! ${a.scheme}: ${w}`));
  }
  if (d.auth.length === 0) checks.append(el("li", "tone-neutral", "– no authentication configured"));
  /** @param {Issue} problem @param {"bad" | "warn"} tone @param {string} label */
  const issue = (problem, tone, label) => {
    const li = el("li", `issue tone-${tone}`);
    li.append(`${SYMBOL[tone]} ${label} `, el("code", "pointer", problem.pointer === "" ? "(payload)" : problem.pointer), ` ${problem.message}`);
    checks.append(li);
  };
  for (const e of d.errors) issue(e, "bad", "error");
  for (const w of d.warnings) issue(w, "warn", "warning");
  if (!d.parseError && d.errors.length === 0) checks.append(el("li", d.warnings.length ? "tone-warn" : "tone-ok", d.warnings.length ? "! schema: valid, with warnings" : "✓ schema: valid"));

  const deliveries = $("deliveries");
  deliveries.replaceChildren();
  for (const x of d.deliveries) {
    const tr = el("tr");
    if (x.id === d.id) tr.className = "current";
    const button = el("button", "link", x.id === d.id ? "Shown" : "Show");
    button.setAttribute("type", "button");
    button.setAttribute("aria-label", `Show delivery ${x.attempt}`);
    if (x.id === d.id) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => {
      pinnedId = x.id;
      refocusDelivery = true;
      void loadDetail();
    });
    const action = el("td");
    action.append(button);
    tr.append(el("td", undefined, String(x.attempt)), el("td", undefined, clock(x.time)), el("td", undefined, String(x.status)), action);
    deliveries.append(tr);
  }

  if (refocusDelivery) {
    refocusDelivery = false;
    /** @type {HTMLElement | null} */ (deliveries.querySelector('[aria-current="true"]'))?.focus();
  }

  renderReplays(d);

  const payload = $("payload");
  if (d.body.text !== null) {
    let text = d.body.text;
    try {
      text = JSON.stringify(JSON.parse(d.body.text), null, 2);
    } catch {
      // Not JSON: show the text as received.
    }
    payload.textContent = text === "" ? "(empty body)" : text;
  } else {
    payload.textContent = `(${d.body.bytes} bytes that are not UTF-8 text; Base64)\n${d.body.base64 ?? ""}`;
  }
  if (d.body.redacted) payload.textContent = `(numbers and text masked: listen --redact)\n${payload.textContent}`;

  const headers = $("headers");
  headers.replaceChildren();
  for (const [name, value] of Object.entries(d.headers)) {
    const tr = el("tr");
    tr.append(el("th", undefined, name), el("td", undefined, value));
    tr.firstElementChild?.setAttribute("scope", "row");
    headers.append(tr);
  }

  const replay = /** @type {HTMLButtonElement} */ ($("replay-button"));
  replay.disabled = !info?.canReplay || !d.accepted;
  // A visible sentence, not a tooltip: a disabled button cannot be focused to reveal one.
  $("replay-note").textContent = !info?.canReplay
    ? "Replay sends to your app: start listen with --forward-to URL."
    : d.accepted
      ? `Replay sends the same bytes and headers to ${info.forwardTo}.`
      : `Replay is off for this one: the listener answered ${d.status} and never forwarded it to your app.`;
  const fixture = /** @type {HTMLAnchorElement} */ ($("fixture-link"));
  fixture.href = `/api/callbacks/${d.id}/fixture`;
  $("curl").textContent = "";
  /** @type {HTMLDetailsElement} */ ($("curl-details")).open = false;
}

/** @param {Detail} d */
function renderReplays(d) {
  const ul = $("replays");
  ul.replaceChildren();
  for (const r of d.replays) {
    const li = el("li");
    li.append(el("time", "time", clock(r.at)), " ", describeForward(r));
    ul.append(li);
  }
  $("replays-section").hidden = d.replays.length === 0;
}

// ---- actions ------------------------------------------------------------------------------------

/** @param {string} text */
function actionStatus(text) {
  $("action-status").textContent = text;
}

/** @param {string} url @param {unknown} body */
function postJson(url, body) {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(body) });
}

$("replay-button").addEventListener("click", async () => {
  if (!shown) return;
  const id = shown.id;
  actionStatus("Replaying…");
  try {
    const res = await postJson(`/api/callbacks/${id}/replay`, {});
    const body = await res.json();
    if (!res.ok) return actionStatus(`Replay refused: ${body.message ?? res.status}`);
    /** @type {ForwardView} */
    const r = body.replay;
    actionStatus(r.ok ? `Replayed: app answered ${r.status} in ${millis(r.latencyMs)}` : `Replay failed: ${r.error ?? "app unreachable"}`);
  } catch (err) {
    actionStatus(`Replay failed: ${err instanceof Error ? err.message : String(err)}`);
  }
});

$("curl-button").addEventListener("click", async () => {
  if (!shown) return;
  try {
    const res = await fetch(`/api/callbacks/${shown.id}/curl`);
    const text = (await res.text()).trimEnd();
    $("curl").textContent = text;
    try {
      await navigator.clipboard.writeText(text);
      actionStatus("curl command copied (credentials masked).");
    } catch {
      // No clipboard permission (e.g. an embedded browser): show it, selected, to copy by hand.
      /** @type {HTMLDetailsElement} */ ($("curl-details")).open = true;
      const range = document.createRange();
      range.selectNodeContents($("curl"));
      window.getSelection()?.removeAllRanges();
      window.getSelection()?.addRange(range);
      actionStatus("Could not use the clipboard: the curl command is shown below, selected.");
    }
  } catch (err) {
    actionStatus(`Could not build the curl command: ${err instanceof Error ? err.message : String(err)}`);
  }
});

const respondForm = /** @type {HTMLFormElement} */ ($("respond-form"));
respondForm.addEventListener("submit", (event) => event.preventDefault());
respondForm.addEventListener("change", async (event) => {
  const input = /** @type {HTMLInputElement} */ (event.target);
  if (input.name !== "respond") return;
  $("respond-status").textContent = "Switching…";
  try {
    const res = await postJson("/api/respond", { mode: input.value });
    const body = await res.json();
    if (!res.ok) throw new Error(body.message ?? `status ${res.status}`);
    renderRespond(body);
  } catch (err) {
    $("respond-status").textContent = `Could not switch: ${err instanceof Error ? err.message : String(err)}`;
  }
});

/** @param {RespondState} state */
function renderRespond(state) {
  const configured = state.configured ? `as started (--respond ${state.configured.join(",")})` : info?.forwardTo ? "as started (your app's status)" : "as started (200)";
  $("configured-label").textContent = configured;
  for (const input of /** @type {NodeListOf<HTMLInputElement>} */ (respondForm.querySelectorAll('input[name="respond"]'))) {
    input.checked = input.value === state.mode;
  }
  $("respond-status").textContent =
    state.mode === "configured" ? `Now: ${configured.replace(/^as started /, "").replace(/[()]/g, "")}` : `Now: every callback gets ${state.mode}`;
}

// ---- live updates -------------------------------------------------------------------------------

/** @param {Info} next */
function renderInfo(next) {
  info = next;
  $("local-url").textContent = next.listenerUrl;
  $("public-url").textContent = next.publicUrl ?? "none (local only)";
  $("forward-url").textContent = next.forwardTo ?? "none";
  $("try-command").textContent = `sinch-hooks fixtures mo_text | curl -s -H 'content-type: application/json' --data-binary @- ${next.listenerUrl}/`;
}

const connection = $("connection");
const source = new EventSource("/api/events");
source.addEventListener("open", () => {
  connection.textContent = "Live";
  connection.dataset.state = "live";
});
source.addEventListener("error", () => {
  connection.textContent = "Disconnected: retrying… (is sinch-hooks listen still running?)";
  connection.dataset.state = "down";
});
source.addEventListener("snapshot", (event) => {
  const data = JSON.parse(/** @type {MessageEvent} */ (event).data);
  renderInfo(data.info);
  renderRespond(data.respond);
  entries.clear();
  for (const s of data.callbacks) entries.set(s.id, s);
  renderList();
  void loadDetail();
});
source.addEventListener("callback", (event) => {
  /** @type {Summary} */
  const s = JSON.parse(/** @type {MessageEvent} */ (event).data);
  entries.set(s.id, s);
  renderList();
  // A new delivery of the callback on screen replaces it, unless an older one was picked on purpose.
  if (s.group === selectedGroup && pinnedId === null) void loadDetail();
});
source.addEventListener("evict", (event) => {
  const { ids } = JSON.parse(/** @type {MessageEvent} */ (event).data);
  for (const id of ids) entries.delete(id);
  if (pinnedId !== null && !entries.has(pinnedId)) pinnedId = null;
  renderList();
});
source.addEventListener("replay", (event) => {
  const { id, replay } = JSON.parse(/** @type {MessageEvent} */ (event).data);
  if (shown && shown.id === id) {
    shown.replays.push(replay);
    renderReplays(shown);
  }
});
source.addEventListener("respond", (event) => renderRespond(JSON.parse(/** @type {MessageEvent} */ (event).data)));
source.addEventListener("info", (event) => renderInfo(JSON.parse(/** @type {MessageEvent} */ (event).data)));
