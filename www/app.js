// The product's page, served by the product's backend (examples/product_backend.rs) on
// the product's own origin. The backend signs connect links for the signed-in user
// (/api/munity/connect-link); the page runs the credential prompt with MunityConnect
// from the npm package (served at /pkg/), which talks to the Munity API on its own
// origin (`apiBase`, pinned): three origins, as in production.
//
// The package is loaded with a dynamic import so that the page still offers the link step
// (and says why it cannot go further) when the package has not been built.

const $ = (id) => document.getElementById(id);

const PACKAGE_URL = "/pkg/munity_connect.js";

const state = {
  munity: null, // a MunityConnect, once the package is loaded
  me: null, // {user, apiBase}: the signed-in user and the Munity API the page pins
  connectors: [], // the connector catalog, through the backend
  link: null, // the current connect link
  events: 0, // webhook events already shown
};

// ---- small helpers -------------------------------------------------------------------

function setStatus(text, kind = "") {
  const status = $("status");
  status.textContent = text;
  status.className = `status ${kind}`;
}

function logEvent(source, name, data) {
  const item = document.createElement("li");
  const detail = data === undefined ? "" : ` ${safeJson(data)}`;
  item.textContent = `${new Date().toISOString().slice(11, 23)} ${source}:${name}${detail}`;
  $("events").append(item);
  item.scrollIntoView({ block: "nearest" });
}

function safeJson(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.detail || `HTTP ${response.status}`);
    error.code = body.code || "server";
    error.fields = body.fields || [];
    throw error;
  }
  return body;
}

function connectorOf(name) {
  return state.connectors.find((c) => c.name === name);
}

function style() {
  return document.querySelector('input[name="style"]:checked').value;
}

// ---- step 1: catalog and link ------------------------------------------------------------

async function loadCatalog() {
  state.connectors = (await api("/api/munity/connectors")).connectors;
  const connector = $("connector");
  for (const c of state.connectors) {
    connector.append(new Option(`${c.display_name} — ${c.auth_type}`, c.name));
  }
}

async function requestLink() {
  const query = new URLSearchParams({ connector: $("connector").value });
  const answer = await api(`/api/munity/connect-link?${query}`);
  return answer.link;
}

async function onGetLink(event) {
  event.preventDefault();
  const button = $("get-link");
  button.disabled = true;
  clearPrompt();
  // The previous link is used or about to be replaced: never show (or let anyone copy)
  // a stale one while the new one is on its way.
  state.link = null;
  $("link").value = "";
  $("link-box").hidden = true;
  setStatus("Asking the backend for a connect link…", "busy");
  try {
    state.link = await requestLink();
    $("link").value = state.link;
    $("link-box").hidden = false;
    logEvent("page", "link", { connector: $("connector").value, customer: state.me.user });
    await showPrompt();
  } catch (err) {
    setStatus(`Could not get a link: ${err.message}`, "bad");
  } finally {
    button.disabled = false;
  }
}

// ---- step 2: the prompt ---------------------------------------------------------------------

function clearPrompt() {
  $("fields").replaceChildren();
  $("prompt").hidden = true;
  $("prompt-title").textContent = "";
  setStatus("");
}

function inputType(field) {
  if (field.secret || field.kind === "password") return "password";
  if (field.kind === "url") return "url";
  return "text";
}

/** One labelled input per field; secrets are password inputs. */
function renderFields(fields) {
  const container = $("fields");
  container.replaceChildren();
  for (const field of fields) {
    const id = `field-${field.name}`;
    const wrap = document.createElement("div");
    wrap.className = "field";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = field.required ? `${field.label} (required)` : field.label;
    const input = document.createElement("input");
    input.id = id;
    input.name = field.name;
    input.type = inputType(field);
    input.required = field.required;
    input.autocomplete = field.secret ? "new-password" : "off";
    input.spellcheck = false;
    const described = [];
    if (field.help) {
      const hint = document.createElement("div");
      hint.className = "hint";
      hint.id = `${id}-hint`;
      hint.textContent = field.help;
      described.push(hint.id);
      wrap.append(label, input, hint);
    } else {
      wrap.append(label, input);
    }
    const error = document.createElement("div");
    error.className = "field-error";
    error.id = `${id}-error`;
    error.setAttribute("aria-live", "polite");
    described.push(error.id);
    input.setAttribute("aria-describedby", described.join(" "));
    wrap.append(error);
    container.append(wrap);
  }
}

function showFieldErrors(fieldErrors) {
  let first = null;
  for (const { field, message } of fieldErrors) {
    const input = $(`field-${field}`);
    const error = $(`field-${field}-error`);
    if (input && error) {
      input.setAttribute("aria-invalid", "true");
      error.textContent = message;
      first = first || input;
    }
  }
  if (first) first.focus();
  return first !== null;
}

function clearFieldErrors() {
  for (const el of document.querySelectorAll(".field-error")) el.textContent = "";
  for (const el of document.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

function credentials() {
  const values = {};
  for (const input of $("fields").querySelectorAll("input")) {
    if (input.value !== "") values[input.name] = input.value;
  }
  return values;
}

function showConnected(connection) {
  setStatus(`Connected: ${connection.id} (${connection.connector})`, "ok");
  logEvent("page", "connected", { id: connection.id, connector: connection.connector });
  pollWebhooks(10);
}

/** Shows the webhook events the backend verified since the last look (a few tries:
 * delivery is asynchronous). */
async function pollWebhooks(tries) {
  for (let i = 0; i < tries; i += 1) {
    const { events } = await api("/api/munity/events").catch(() => ({ events: [] }));
    const fresh = events.slice(state.events);
    state.events = events.length;
    for (const event of fresh) logEvent("webhook", event.type, { id: event.data?.id });
    if (fresh.length) return fresh;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return [];
}

function showError(err) {
  clearFieldErrors();
  const onField = err.code === "validation" && showFieldErrors(err.fields || []);
  setStatus(`${onField ? "Check the fields above" : "Error"}: ${err.message} (${err.code})`, "bad");
  logEvent("page", "error", { code: err.code, message: err.message });
}

async function showPrompt() {
  const connector = connectorOf($("connector").value);
  if (!state.munity) {
    // Without the package, the schema comes from the catalog; nothing can be sent.
    renderPromptFor(connector.display_name, connector.auth_type, connector.fields);
    $("connect").disabled = true;
    setStatus("The link is ready. The npm package is not built, so the prompt cannot connect.", "bad");
    return;
  }
  if (style() === "callback") {
    setStatus("The package's own prompt is open.", "");
    state.munity.open(state.link, {
      onSuccess: (connection) => showConnected(connection),
      onError: (err) => showError(err),
      onExit: () => {
        setStatus("Closed without connecting.", "");
        logEvent("page", "exit");
      },
      onEvent: (name, data) => logEvent("onEvent", name, data),
    });
    return;
  }
  setStatus("Reading the connect session…", "busy");
  let session;
  try {
    session = await state.munity.describe(state.link);
  } catch (err) {
    showError(err);
    return;
  }
  logEvent("page", "describe", { connector: session.connector, authType: session.authType, expiresAt: session.expiresAt });
  renderPromptFor(session.displayName || session.connector, session.authType, session.fields, session.moduleConfigUrl);
  setStatus("");
  const first = $("prompt").querySelector("input, button");
  if (first) first.focus();
}

function renderPromptFor(displayName, authType, fields, moduleConfigUrl) {
  $("prompt").hidden = false;
  $("prompt").dataset.authType = authType;
  const connect = $("connect");
  connect.disabled = false;
  if (authType === "module") {
    renderModuleStep(displayName, moduleConfigUrl);
    connect.textContent = "Check the connection";
  } else if (authType === "oauth2") {
    $("prompt-title").textContent = `${displayName} uses OAuth2: you consent on ${displayName}'s page.`;
    renderFields([]);
    connect.textContent = `Connect with ${displayName}`;
  } else {
    $("prompt-title").textContent =
      authType === "none" ? `${displayName} needs no credentials.` : `Credentials for ${displayName} (${authType})`;
    renderFields(fields);
    connect.textContent = "Connect";
  }
}

/** A module connector (simple connection, docs/module.md): the end user pastes the
 * configuration URL into the system's marketplace; the system registers and the
 * connection is made there. The sandbox plays the system at /crm/marketplace. */
function renderModuleStep(displayName, moduleConfigUrl) {
  $("prompt-title").textContent =
    `${displayName} connects as a module: paste this configuration URL in ${displayName}'s marketplace.`;
  renderFields([]);
  const container = $("fields");
  const wrap = document.createElement("div");
  wrap.className = "field";
  const label = document.createElement("label");
  label.htmlFor = "module-config-url";
  label.textContent = "Configuration URL";
  const input = document.createElement("input");
  input.id = "module-config-url";
  input.type = "url";
  input.readOnly = true;
  input.value = moduleConfigUrl || "";
  wrap.append(label, input);
  container.append(wrap);
  if (moduleConfigUrl) {
    const marketplace = new URL("/crm/marketplace", new URL(state.me.apiBase).origin);
    marketplace.searchParams.set("config_url", moduleConfigUrl);
    const open = document.createElement("a");
    open.id = "open-marketplace";
    open.href = marketplace.href;
    open.target = "_blank";
    open.rel = "noopener";
    open.textContent = `Open the sandbox's fake ${displayName} marketplace (a new tab) and connect there`;
    const note = document.createElement("p");
    note.className = "note";
    note.append(open);
    container.append(note);
  }
}

/** A module's connection is made by the system: the page learns of it from the
 * `connection.created` webhook its backend verified. */
async function checkModuleConnection() {
  setStatus("Waiting for connection.created…", "busy");
  const events = await pollWebhooks(20);
  const created = events.find((e) => e.type === "connection.created");
  if (created) {
    setStatus(`Connected: ${created.data?.id} (${created.data?.connector})`, "ok");
  } else {
    setStatus("No connection yet: connect in the marketplace tab, then check again.", "");
  }
}

/** The Connect button. For OAuth2, `authorize` is called first thing in the click, so
 * that the browser lets it open the popup. */
function onConnect(event) {
  event.preventDefault();
  if (!state.munity || !state.link) return;
  clearFieldErrors();
  if ($("prompt").dataset.authType === "module") {
    checkModuleConnection();
    return;
  }
  const oauth = $("prompt").dataset.authType === "oauth2";
  const pending = oauth
    ? state.munity.authorize(state.link)
    : state.munity.submit(state.link, credentials());
  $("connect").disabled = true;
  setStatus(oauth ? "Waiting for the consent page…" : "Encrypting and sending…", "busy");
  pending
    .then((connection) => showConnected(connection))
    .catch((err) => showError(err))
    .finally(() => {
      $("connect").disabled = false;
    });
}

// ---- start -------------------------------------------------------------------------------------

async function loadPackage() {
  try {
    const pkg = await import(PACKAGE_URL);
    await pkg.default();
    state.munity = new pkg.MunityConnect({ apiBase: state.me.apiBase });
    $("package-state").textContent = `Using @munity/connect from /pkg/, pinned to ${state.me.apiBase}.`;
  } catch (err) {
    $("package-state").textContent =
      "The npm package is not served at /pkg/ (run scripts/build-pkg, then scripts/demo): " +
      "you can get links, but not connect.";
    console.warn("munity demo: package not loaded", err);
  }
}

async function main() {
  $("link-form").addEventListener("submit", onGetLink);
  $("prompt").addEventListener("submit", onConnect);
  $("clear-events").addEventListener("click", () => $("events").replaceChildren());
  state.me = await api("/api/me");
  $("user").textContent = state.me.user;
  $("api-base").textContent = state.me.apiBase;
  await Promise.all([loadPackage(), loadCatalog()]);
  document.body.dataset.ready = "true";
}

main().catch((err) => setStatus(`The demo could not start: ${err.message}`, "bad"));
