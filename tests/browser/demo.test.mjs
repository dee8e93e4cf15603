// End-to-end tests of the demo in headless Chromium (Debian's /usr/bin/chromium, driven
// by npm playwright-core from .tools/node; install both with scripts/setup-browser), in
// the real topology: the product's page and backend on one origin, the Munity API (the
// sandbox) on another.
//
//   cargo build --features cli --bin munity --example product_backend && node --test tests/browser/
//
// Each run starts `munity sandbox --memory --port 0` and two product backends
// (examples/product_backend.rs) on their own ports: the workspace allows the first
// origin only (set through the API, as a product's admin would). The page imports the
// package from the packed tarball (target/npm/, from `scripts/build-pkg --pack`), as a
// customer installs it, or else from pkg/web. Screenshots of each prompt go to
// test-output/. When the package is missing, the connect flows are skipped with the
// reason, and the rest run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { BIN, PRODUCT_BIN, ROOT, launchChromium, startProcess, startProductBackend } from "./support.mjs";

const OUT = path.join(ROOT, "test-output");
// Test-only npm tools (axe-core, React) live in .tools/node (scripts/setup-browser).
const require = createRequire(path.join(ROOT, ".tools/node/package.json"));
const TARBALLS = path.join(ROOT, "target/npm");

let sandbox; // {child, env}: the Munity API
let product; // {child, url, origin}: the product, on an allowed origin
let stranger; // the same product on an origin the workspace does not allow
let pkgDir; // the package's web entry the backends serve
let unpacked; // where the tarball was unpacked
let context; // a persistent browser context on a fresh profile
let profile;
let missing = []; // why the connect flows cannot run

function startProduct(extraEnv = {}) {
  return startProductBackend(sandbox.env, { PRODUCT_WWW: path.join(ROOT, "www"), PRODUCT_PKG: pkgDir, ...extraEnv });
}

/** The package's web entry: from the packed tarball if there is one, else pkg/web. */
function packageDir() {
  const tarballs = existsSync(TARBALLS) ? readdirSync(TARBALLS).filter((f) => /^munity-connect-.*\.tgz$/.test(f)) : [];
  if (tarballs.length === 1) {
    unpacked = mkdtempSync(path.join(tmpdir(), "munity-tarball-"));
    execFileSync("tar", ["xzf", path.join(TARBALLS, tarballs[0]), "-C", unpacked]);
    return path.join(unpacked, "package", "web");
  }
  return process.env.MUNITY_PKG || path.join(ROOT, "pkg/web");
}

async function api(pathAndQuery, init = {}) {
  const response = await fetch(`${sandbox.env.MUNITY_API_BASE}${pathAndQuery}`, {
    ...init,
    headers: { authorization: `X-Api-Key ${sandbox.env.MUNITY_ADMIN_KEY}`, "content-type": "application/json" },
  });
  return { status: response.status, body: await response.json() };
}

before(async () => {
  assert.ok(existsSync(BIN), `${BIN} is missing: cargo build --features cli --bin munity`);
  assert.ok(existsSync(PRODUCT_BIN), `${PRODUCT_BIN} is missing: cargo build --example product_backend`);
  mkdirSync(OUT, { recursive: true });
  pkgDir = packageDir();
  if (!existsSync(path.join(pkgDir, "munity_connect.js"))) missing.push(`the npm package (${pkgDir}; scripts/build-pkg --pack)`);
  sandbox = await startProcess(BIN, ["sandbox", "--memory", "--port", "0"], {}, "MUNITY_CERTIFICATE");
  product = await startProduct();
  // The stranger keeps its own webhook secret rather than registering its endpoint.
  stranger = await startProduct({ MUNITY_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString("base64")}` });
  assert.notEqual(product.origin, new URL(sandbox.env.MUNITY_API_BASE).origin, "page origin != API origin");
  // The product's admin allows the product's origin, and only it.
  const allowed = await api("/workspace/", { method: "PATCH", body: JSON.stringify({ allowed_origins: [product.origin] }) });
  assert.equal(allowed.status, 200, JSON.stringify(allowed.body));
  ({ context, profile } = await launchChromium());
  // Which Chromium ran the tests: Debian serves whatever version is current.
  const probe = await context.newPage();
  const { product: browser } = await (await context.newCDPSession(probe)).send("Browser.getVersion");
  console.log(`browser: ${browser}`);
  await probe.close();
});

after(async () => {
  await context?.close();
  for (const running of [stranger, product, sandbox]) running?.child.kill("SIGTERM");
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (unpacked) rmSync(unpacked, { recursive: true, force: true });
});

async function openDemo(viewport = { width: 1000, height: 900 }, site = product) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(site.url);
  await page.waitForSelector("body[data-ready=true]");
  return page;
}

async function customerId(externalId) {
  const found = await api(`/customers/?external_id=${encodeURIComponent(externalId)}`);
  return found.body.results[0].id;
}

async function catalog() {
  return (await fetch(`${product.url}api/munity/connectors`)).json();
}

/** Asks the demo backend for a new link and returns it. Waits for a link that differs from
 * the one shown before the click: the page keeps a link on screen until a new one replaces
 * it, and reading the old one (already used) made a later step fail with `link_used`. */
async function getLink(page, connector, style = "promise") {
  await page.selectOption("#connector", connector);
  await page.check(`input[name=style][value=${style}]`);
  // Wait for a new link, not the one a previous call left in the box.
  const before = await page.inputValue("#link");
  await page.click("#get-link");
  await page.waitForFunction(
    (old) => {
      const value = document.getElementById("link").value;
      return value.includes("sig=") && value !== old;
    },
    before,
  );
  return page.inputValue("#link");
}

/** Presses `key` in a popup whose page may close itself in answer (the OAuth2 callback page
 * posts its message and closes): the key's release then has no page to go to, which is the
 * expected outcome, not an error. Any other failure is one. */
async function pressClosing(popup, key) {
  await popup.keyboard.press(key).catch((err) => {
    if (!popup.isClosed()) throw err;
  });
}

// ---- what runs without the package and the connect routes --------------------------------

test("the product's backend serves the page, the catalog and a link it signs for the signed-in user", async () => {
  const page = await openDemo();
  const connectors = await page.$$eval("#connector option", (os) => os.map((o) => o.value));
  assert.ok(connectors.includes("jira"), `${connectors}`);
  assert.equal(await page.textContent("#user"), "acme");
  const types = [...new Set((await catalog()).connectors.map((c) => c.auth_type))].sort();
  assert.deepEqual(types, ["api_key", "aws4", "basic", "bearer", "headers", "hmac_sha256", "module", "none", "oauth2", "user_credentials"]);
  const link = await getLink(page, "jira");
  assert.match(link, new RegExp(`^${sandbox.env.MUNITY_API_BASE}/connect\\?v=1&workspace=`));
  assert.ok(!link.includes(sandbox.env.MUNITY_ADMIN_KEY), "the link does not carry the key");
  assert.match(link, /&customer=acme&/, "signed for the signed-in user's own id");
  assert.notEqual(new URL(page.url()).origin, new URL(link).origin, "the page is not on the API's origin");
  const root = await fetch(`${new URL(sandbox.env.MUNITY_API_BASE).origin}/`);
  assert.ok(root.status >= 400, `the sandbox serves the API only (${root.status})`);
  assert.match(root.headers.get("content-type"), /json/);
  await page.close();
});

test("the demo page loads with no console error and no failed request (the favicon included)", async () => {
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  page.on("requestfailed", (request) => problems.push(`failed: ${request.url()}`));
  await page.goto(product.url);
  await page.waitForSelector("body[data-ready=true]");
  // Chromium asks for /favicon.ico after the load when the page names no icon.
  await page.waitForLoadState("networkidle");
  assert.deepEqual(problems, []);
  await page.close();
});

test("every input of every prompt has a label; secrets are password inputs; phone width fits", async (t) => {
  // With the package, the prompt comes from the session (describe); without it, from the catalog.
  if (existsSync(path.join(pkgDir, "munity_connect.js")) && missing.length) return t.skip(`needs ${missing.join(" and ")}`);
  const page = await openDemo({ width: 375, height: 800 });
  for (const connector of (await catalog()).connectors) {
    await getLink(page, connector.name);
    await page.waitForSelector("#prompt:not([hidden])");
    await page.waitForFunction(() => document.getElementById("status").textContent !== "Reading the connect session…");
    const inputs = await page.$$eval("#fields input", (els) =>
      els.map((el) => ({
        name: el.name,
        type: el.type,
        label: document.querySelector(`label[for="${el.id}"]`)?.textContent ?? null,
      })),
    );
    // A module connector's step shows its (labelled, read-only) configuration URL.
    const own = inputs.filter((i) => i.name || connector.auth_type !== "module");
    assert.ok(inputs.every((i) => i.label), `${connector.name}: every input has a label`);
    assert.equal(own.length, connector.fields.length, connector.name);
    for (const field of connector.fields) {
      const input = inputs.find((i) => i.name === field.name);
      assert.ok(input?.label, `${connector.name}.${field.name} has a label`);
      assert.equal(input.type === "password", field.secret || field.kind === "password", `${connector.name}.${field.name}`);
    }
    const button = await page.textContent("#connect");
    const expected = { oauth2: `Connect with ${connector.display_name}`, module: "Check the connection" };
    assert.equal(button, expected[connector.auth_type] ?? "Connect");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, `${connector.name}: no horizontal scroll at 375 px`);
    await page.screenshot({ path: path.join(OUT, `prompt-${connector.name}.png`), fullPage: true });
  }
  await page.close();
});

test("the sandbox's OAuth2 consent page posts to the opener's origin: approve and deny", async () => {
  const page = await openDemo();
  for (const decision of ["Approve", "Deny"]) {
    const link = await getLink(page, "jira");
    const query = link.split("?")[1];
    const received = page.evaluate(
      ({ query, api }) =>
        new Promise((resolve) => {
          window.addEventListener("message", (e) => resolve({ origin: e.origin, data: e.data }), { once: true });
          const url = `${api}/connect/oauth2/authorize?link=${encodeURIComponent(query)}&origin=${encodeURIComponent(location.origin)}`;
          window.open(url, "munity-oauth", "width=500,height=700");
        }),
      { query, api: sandbox.env.MUNITY_API_BASE },
    );
    const popup = await page.waitForEvent("popup");
    // Listen before acting: the callback page closes the popup as soon as it has posted.
    const closed = popup.waitForEvent("close");
    await popup.waitForSelector(`button:has-text("${decision}")`);
    if (decision === "Approve") await popup.screenshot({ path: path.join(OUT, "oauth-consent.png") });
    // Keyboard: Approve has the focus; Tab reaches Deny.
    assert.equal(await popup.evaluate(() => document.activeElement?.textContent), "Approve");
    if (decision === "Deny") {
      await popup.keyboard.press("Tab");
      assert.equal(await popup.evaluate(() => document.activeElement?.textContent), "Deny");
    }
    await pressClosing(popup, "Enter");
    const { origin, data } = await received;
    assert.equal(origin, new URL(sandbox.env.MUNITY_API_BASE).origin);
    assert.equal(data.type, "munity:connect");
    if (decision === "Approve") {
      assert.match(data.connection.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const listed = await api(`/customers/${data.connection.customer_id}/connections/`);
      assert.ok(listed.body.results.some((c) => c.id === data.connection.id), "visible through the API");
    } else {
      assert.equal(data.error.code, "access_denied");
    }
    await closed; // the callback page closes the popup (the test's timeout bounds the wait)
    assert.ok(popup.isClosed(), "the callback page closes the popup");
  }
  await page.close();
});

// ---- the connect flows through the package -------------------------------------------------

function skipReason() {
  return missing.length ? `needs ${missing.join(" and ")}` : false;
}

/** Types `values` into the prompt, intercepts the submit, and returns the connection id. */
async function submitFlow(connector, values, style) {
  const page = await openDemo();
  const bodies = [];
  page.on("request", (request) => {
    if (request.method() === "POST") bodies.push(request.postData() || "");
  });
  await getLink(page, connector, style);
  const scope = style === "callback" ? "dialog.munity-connect" : "#prompt";
  await page.waitForSelector(`${scope} input`);
  await page.screenshot({ path: path.join(OUT, `flow-${connector}-${style}.png`), fullPage: true });
  for (const [name, value] of Object.entries(values)) {
    await page.fill(`${scope} input[name="${name}"]`, value);
  }
  await page.click(`${scope} button:has-text("Connect")`);
  await page.waitForSelector("#status.ok, #status.bad");
  const status = await page.textContent("#status");
  assert.match(status, /^Connected: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} /, status);
  const id = status.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)[0];
  const submitted = bodies.join("\n");
  assert.ok(submitted.length > 0, "a request carried the credentials");
  for (const value of Object.values(values)) {
    assert.ok(!submitted.includes(value), `the typed value ${value.slice(0, 3)}… is not sent in clear`);
  }
  const customer = await customerId("acme");
  const listed = await api(`/customers/${customer}/connections/`);
  assert.ok(listed.body.results.some((c) => c.id === id), "visible through the API");
  await page.close();
}

function connectorWith(authType) {
  return catalog().then((c) => c.connectors.find((x) => x.auth_type === authType));
}

function valuesFor(connector) {
  const values = {};
  for (const f of connector.fields) values[f.name] = `typed-${f.name}-Zq81${f.secret ? "-secret" : ""}`;
  return values;
}

for (const [authType, style] of [
  ["api_key", "promise"],
  ["user_credentials", "promise"],
  ["aws4", "promise"],
  ["api_key", "callback"],
]) {
  test(`${authType} through the ${style} API: encrypted, connected, visible`, { skip: false }, async (t) => {
    if (skipReason()) return t.skip(skipReason());
    const connector = await connectorWith(authType);
    await submitFlow(connector.name, valuesFor(connector), style);
  });
}

async function oauthThroughPackage(t, action) {
  if (skipReason()) return t.skip(skipReason());
  const page = await openDemo();
  await getLink(page, "jira");
  await page.waitForSelector("#connect:has-text('Connect with Jira')");
  const popupPromise = page.waitForEvent("popup");
  await page.click("#connect");
  const popup = await popupPromise;
  if (action === "close") await popup.close();
  else await popup.click(`button:has-text("${action}")`);
  await page.waitForSelector("#status.ok, #status.bad");
  const status = await page.textContent("#status");
  await page.close();
  return status;
}

test("OAuth2 through the package: approve connects", async (t) => {
  const status = await oauthThroughPackage(t, "Approve");
  if (status !== undefined) assert.match(status, /^Connected: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} /);
});

test("OAuth2 through the package: deny gives access_denied", async (t) => {
  const status = await oauthThroughPackage(t, "Deny");
  if (status !== undefined) assert.match(status, /access_denied/);
});

test("OAuth2 through the package: three authorizations in a row on one page (approve, deny, approve)", async (t) => {
  // A user who connects, then connects again at once: each `authorize` opens the popup by
  // the same window name right after the previous popup closed itself.
  if (skipReason()) return t.skip(skipReason());
  const page = await openDemo();
  const connected = [];
  for (const action of ["Approve", "Deny", "Approve"]) {
    await getLink(page, "jira");
    await page.waitForSelector("#connect:has-text('Connect with Jira'):not([disabled])");
    const popupPromise = page.waitForEvent("popup");
    await page.click("#connect");
    const popup = await popupPromise;
    const closed = popup.waitForEvent("close");
    await popup.click(`button:has-text("${action}")`);
    await page.waitForSelector("#status.ok, #status.bad");
    const status = await page.textContent("#status");
    if (action === "Approve") {
      assert.match(status, /^Connected: [0-9a-f-]{36} /, status);
      connected.push(status.match(/[0-9a-f-]{36}/)[0]);
    } else {
      assert.match(status, /access_denied/, status);
    }
    await closed;
  }
  assert.equal(new Set(connected).size, 2, "two distinct connections");
  await page.close();
});

test("OAuth2 through the package: closing the popup gives window_closed", async (t) => {
  const status = await oauthThroughPackage(t, "close");
  if (status !== undefined) assert.match(status, /window_closed/);
});

// ---- the topology's guarantees ------------------------------------------------------------

test("a page on an origin the workspace did not allow cannot read a session: the preflight gets no CORS", async (t) => {
  if (skipReason()) return t.skip(skipReason());
  const page = await openDemo(undefined, stranger);
  const answers = [];
  page.on("response", (r) => {
    if (r.url().startsWith(sandbox.env.MUNITY_API_BASE)) answers.push({ url: r.url(), acao: r.headers()["access-control-allow-origin"] });
  });
  await getLink(page, "asana");
  await page.waitForSelector("#status.bad");
  const status = await page.textContent("#status");
  assert.match(status, /\(network\)/, status);
  assert.ok(answers.every((a) => a.acao === undefined), JSON.stringify(answers));
  // What the browser got, asked directly: a preflight from that origin has no CORS headers.
  const link = await page.inputValue("#link");
  const preflight = await fetch(`${sandbox.env.MUNITY_API_BASE}/connect/credentials?${link.split("?")[1]}`, {
    method: "OPTIONS",
    headers: { origin: stranger.origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
  assert.equal(preflight.headers.get("access-control-allow-origin"), null);
  const allowed = await fetch(`${sandbox.env.MUNITY_API_BASE}/connect/credentials?${link.split("?")[1]}`, {
    method: "OPTIONS",
    headers: { origin: product.origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
  });
  assert.equal(allowed.headers.get("access-control-allow-origin"), product.origin);
  await page.close();
});

/** Runs `describe(link)` (or `submit(link, credentials)`) in the page with a fresh
 * MunityConnect of `options`: the error code, or "resolved". */
function describeIn(page, link, options, credentials) {
  return page.evaluate(
    async ({ link, options, credentials }) => {
      const pkg = await import("/pkg/munity_connect.js");
      await pkg.default();
      try {
        const munity = new pkg.MunityConnect(options);
        await (credentials ? munity.submit(link, credentials) : munity.describe(link));
        return "resolved";
      } catch (e) {
        return e.code;
      }
    },
    { link, options, credentials },
  );
}

test("a link on another host than the pinned API is refused with no request to that host", async (t) => {
  if (skipReason()) return t.skip(skipReason());
  const page = await openDemo();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const link = await getLink(page, "asana");
  const query = link.split("?")[1];
  const apiBase = sandbox.env.MUNITY_API_BASE;
  // The attacker's host (here the stranger's server, which would see the requests) with a
  // genuine query; the default pin (production) refuses the sandbox's own link too.
  const elsewhere = `${stranger.url}v1/connect?${query}`;
  requests.length = 0;
  assert.equal(await describeIn(page, elsewhere, { apiBase }), "link_foreign_host");
  assert.equal(await describeIn(page, link, {}), "link_foreign_host");
  assert.deepEqual(requests.filter((u) => u.startsWith(stranger.url) || u.startsWith(apiBase)), [], "no request at all");
  assert.equal(await describeIn(page, link, { apiBase }), "resolved");
  await page.close();
});

test("a certificate pin: a session with another key is refused; a pinned certificate is the only one sealed to", async (t) => {
  if (skipReason()) return t.skip(skipReason());
  const page = await openDemo();
  const link = await getLink(page, "asana");
  const apiBase = sandbox.env.MUNITY_API_BASE;
  const { body } = await api("/workspace/certificate/");
  assert.equal(await describeIn(page, link, { apiBase, certificateKid: body.kid }), "resolved");
  assert.equal(await describeIn(page, link, { apiBase, certificateKid: "A".repeat(43) }), "certificate_mismatch");
  // Pinned to another key, the package seals to it whatever the session says: the API
  // cannot open it, and no connection is made.
  const connector = await connectorWith("api_key");
  const keyLink = await getLink(page, connector.name);
  const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ format: "jwk" });
  const customer = await customerId("acme");
  const before = (await api(`/customers/${customer}/connections/`)).body.count;
  const code = await describeIn(page, keyLink, { apiBase, certificate: JSON.stringify(other) }, valuesFor(connector));
  assert.notEqual(code, "resolved");
  assert.equal((await api(`/customers/${customer}/connections/`)).body.count, before, code);
  // The package takes the key as the API publishes it beside the certificate (`jwk`); the
  // PEM certificate itself is refused when the pin is set.
  assert.equal(await describeIn(page, keyLink, { apiBase, certificate: body.certificate }, valuesFor(connector)), "certificate_invalid");
  assert.equal(await describeIn(page, keyLink, { apiBase, certificate: JSON.stringify(body.jwk) }, valuesFor(connector)), "resolved");
  await page.close();
});

test("the product's backend receives and verifies the connection's webhook", async (t) => {
  if (skipReason()) return t.skip(skipReason());
  const connector = await connectorWith("api_key");
  await submitFlow(connector.name, valuesFor(connector), "promise");
  let events = [];
  for (let i = 0; i < 50 && !events.some((e) => e.type === "connection.created"); i += 1) {
    events = (await (await fetch(`${product.url}api/munity/events`)).json()).events;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.ok(events.some((e) => e.type === "connection.created"), JSON.stringify(events));
});

// ---- the package's built-in prompt (open) --------------------------------------------------
// Opened straight from the package on the product's page, with the options `open` takes;
// each check runs axe-core (pinned, .tools/node, scripts/setup-browser) on the dialog.

const AXE = (() => {
  try {
    return require.resolve("axe-core/axe.min.js");
  } catch {
    return null;
  }
})();

/** Opens the package's prompt for `connector` with `options` (merged into the handlers);
 * `window.munityLog` collects what the handlers and `onEvent` receive. */
async function openPrompt(page, connector, options = {}) {
  await page.addScriptTag({ path: AXE });
  const outcome = await page.evaluate(
    async ({ connector, apiBase, options }) => {
      const m = await import("/pkg/munity_connect.js");
      await m.default();
      window.munityLog = [];
      const log = (name) => (data) => window.munityLog.push([name, data?.code ?? data?.id ?? null]);
      const link = () => fetch(`/api/munity/connect-link?connector=${connector}`).then((r) => r.json()).then((a) => a.link);
      document.getElementById("get-link").focus(); // the opener: focus comes back here
      try {
        new m.MunityConnect({ apiBase }).open(link, {
          onSuccess: log("success"),
          onError: log("onError"),
          onExit: log("exit"),
          onEvent: (name) => window.munityLog.push(["event", name]),
          ...options,
        });
        return null;
      } catch (err) {
        return { code: err.code, message: err.message };
      }
    },
    { connector, apiBase: sandbox.env.MUNITY_API_BASE, options },
  );
  if (outcome) return outcome;
  await page.waitForSelector("dialog.munity-connect[open]");
  return null;
}

/** axe-core on the open dialog: the serious and critical violations, as readable lines. */
async function axeProblems(page) {
  const results = await page.evaluate(() =>
    window.axe.run(document.querySelector("dialog.munity-connect"), { resultTypes: ["violations"] }),
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

function promptSkip() {
  if (skipReason()) return skipReason();
  return AXE ? false : "needs npm axe-core in .tools/node (scripts/setup-browser)";
}

test("built-in prompt: axe finds no serious or critical violation for any auth type, light and dark", async (t) => {
  if (promptSkip()) return t.skip(promptSkip());
  const page = await openDemo();
  const seen = new Set();
  for (const connector of (await catalog()).connectors) {
    if (seen.has(connector.auth_type)) continue;
    seen.add(connector.auth_type);
    for (const colorScheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme });
      await openPrompt(page, connector.name);
      assert.deepEqual(await axeProblems(page), [], `${connector.auth_type}, ${colorScheme}`);
      const unlabelled = await page.$$eval("dialog.munity-connect input", (inputs) =>
        inputs.filter((i) => !i.labels?.length).map((i) => i.id),
      );
      assert.deepEqual(unlabelled, [], `${connector.auth_type}: every input has a label`);
      await page.keyboard.press("Escape");
      await page.waitForSelector("dialog.munity-connect", { state: "detached" });
    }
  }
  assert.ok(seen.size >= 9, `auth types checked: ${[...seen]}`);
  await page.close();
});

test("built-in prompt: inline errors announced, focus on the first invalid field, then connected", async (t) => {
  if (promptSkip()) return t.skip(promptSkip());
  const connector = await connectorWith("user_credentials");
  const page = await openDemo({ width: 1000, height: 800 });
  await openPrompt(page, connector.name);
  await page.click('dialog.munity-connect button[type="submit"]');
  await page.waitForSelector(".munity-alert:not(:empty)");
  assert.equal(await page.textContent(".munity-alert"), "Check the highlighted fields.");
  const first = connector.fields.find((f) => f.required);
  assert.equal(await page.evaluate(() => document.activeElement.id), `munity-field-${first.name}`);
  assert.equal(await page.getAttribute(`#munity-field-${first.name}`, "aria-invalid"), "true");
  assert.equal(await page.textContent(`#munity-field-${first.name}-error`), `${first.label} is required`);
  assert.deepEqual(await axeProblems(page), [], "error state");
  await page.screenshot({ path: path.join(OUT, "prompt-light.png") });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: path.join(OUT, "prompt-dark.png") });
  assert.deepEqual(await axeProblems(page), [], "error state, dark");
  await page.emulateMedia({ colorScheme: "light" });
  for (const [name, value] of Object.entries(valuesFor(connector))) {
    await page.fill(`dialog.munity-connect input[name="${name}"]`, value);
  }
  await page.click('dialog.munity-connect button[type="submit"]');
  await page.waitForSelector('dialog.munity-connect[data-state="success"]');
  assert.equal(await page.textContent(".munity-status"), `${connector.display_name} is connected.`);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Close");
  assert.deepEqual(await axeProblems(page), [], "success state");
  await page.click("dialog.munity-connect .munity-cancel");
  await page.waitForSelector("dialog.munity-connect", { state: "detached" });
  const log = await page.evaluate(() => window.munityLog);
  assert.ok(log.some(([name]) => name === "success"), JSON.stringify(log));
  assert.ok(!log.some(([name]) => name === "exit"), "closing after success is not an exit");
  assert.equal(await page.evaluate(() => document.activeElement.id), "get-link", "focus restored");
  await page.close();
});

test("built-in prompt: a failure is shown and announced, onError called; busy while sending", async (t) => {
  if (promptSkip()) return t.skip(promptSkip());
  const connector = await connectorWith("api_key");
  const page = await openDemo();
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route(/\/connect\/credentials/, async (route) => {
    const cors = { "access-control-allow-origin": product.origin, "access-control-allow-headers": "*" };
    if (route.request().method() === "OPTIONS") return route.fulfill({ status: 204, headers: cors });
    await held; // the prompt stays busy until the answer comes
    await route.fulfill({
      status: 503,
      headers: { ...cors, "content-type": "application/json" },
      body: JSON.stringify({ code: "server", detail: "the platform is down for maintenance" }),
    });
  });
  await openPrompt(page, connector.name);
  for (const [name, value] of Object.entries(valuesFor(connector))) {
    await page.fill(`dialog.munity-connect input[name="${name}"]`, value);
  }
  await page.click('dialog.munity-connect button[type="submit"]');
  await page.waitForSelector('dialog.munity-connect[data-state="busy"]');
  assert.equal(await page.getAttribute('dialog.munity-connect button[type="submit"]', "aria-disabled"), "true");
  assert.equal(await page.textContent(".munity-status"), "Encrypting and connecting…");
  await page.keyboard.press("Escape");
  assert.equal(await page.locator("dialog.munity-connect").count(), 1, "Escape waits while the request is out");
  release();
  await page.waitForSelector('dialog.munity-connect[data-state="failure"]');
  assert.match(await page.textContent(".munity-alert"), /^Could not connect: /);
  assert.equal(await page.getAttribute(".munity-alert", "role"), "alert");
  assert.deepEqual(await axeProblems(page), [], "failure state");
  const log = await page.evaluate(() => window.munityLog);
  assert.ok(log.some(([name, code]) => name === "onError" && code === "server"), JSON.stringify(log));
  await page.keyboard.press("Escape");
  await page.waitForSelector("dialog.munity-connect", { state: "detached" });
  await page.close();
});

test("built-in prompt: French, messages, theme; Tab stays inside; Escape exits and restores focus", async (t) => {
  if (promptSkip()) return t.skip(promptSkip());
  const connector = await connectorWith("basic");
  const page = await openDemo({ width: 375, height: 720 });
  await openPrompt(page, connector.name, {
    locale: "fr-FR",
    messages: { cancel: "Plus tard" },
    theme: { accent: "#0a7d5a", radius: "4px" },
  });
  assert.equal(await page.getAttribute("dialog.munity-connect", "lang"), "fr");
  assert.equal(await page.textContent("#munity-connect-title"), `Connecter ${connector.display_name}`);
  assert.equal(await page.textContent("dialog.munity-connect .munity-cancel"), "Plus tard");
  const background = await page.$eval('dialog.munity-connect button[type="submit"]', (b) => getComputedStyle(b).backgroundColor);
  assert.equal(background, "rgb(10, 125, 90)", "theme.accent");
  // The narrow screenshot: French, themed, errors shown.
  await page.click('dialog.munity-connect button[type="submit"]');
  await page.waitForSelector(".munity-alert:not(:empty)");
  assert.equal(await page.textContent(".munity-alert"), "Vérifiez les champs signalés.");
  const width = await page.$eval("dialog.munity-connect", (d) => d.getBoundingClientRect().right);
  assert.ok(width <= 375, `fits a phone (${width})`);
  await page.screenshot({ path: path.join(OUT, "prompt-narrow.png") });
  // Tab from the last control wraps to the first, Shift+Tab back.
  await page.focus("dialog.munity-connect .munity-cancel");
  await page.keyboard.press("Tab");
  const firstId = await page.evaluate(() => document.activeElement.id);
  assert.equal(firstId, `munity-field-${connector.fields[0].name}`);
  await page.keyboard.press("Shift+Tab");
  assert.equal(await page.evaluate(() => document.activeElement.className), "munity-cancel");
  await page.keyboard.press("Escape");
  await page.waitForSelector("dialog.munity-connect", { state: "detached" });
  assert.equal(await page.evaluate(() => document.activeElement.id), "get-link", "focus restored");
  const log = await page.evaluate(() => window.munityLog);
  assert.ok(log.some(([name]) => name === "exit"), JSON.stringify(log));
  // A string with the connector's name in it; an unknown placeholder stays as written.
  await openPrompt(page, connector.name, { messages: { title: "{name}: {other}" } });
  assert.equal(await page.textContent("#munity-connect-title"), `${connector.display_name}: {other}`);
  assert.equal(await page.getAttribute("dialog.munity-connect", "lang"), "en", "no locale: the page's <html lang>, else en");
  await page.keyboard.press("Escape");
  await page.waitForSelector("dialog.munity-connect", { state: "detached" });
  // Malformed look options are refused at once, with a typed error.
  for (const options of [{ messages: { titel: "x" } }, { theme: { "a;b": "red" } }, { locale: 7 }]) {
    const refused = await openPrompt(page, connector.name, options);
    assert.equal(refused?.code, "invalid_option", JSON.stringify(options));
  }
  await page.close();
});

// ---- the React entry (@munity/connect/react) ----------------------------------------------

/** The page of a React app on its own origin: React 18's UMD builds from .tools/node
 * (scripts/setup-browser) behind an import map, the package from the unpacked tarball,
 * and an app that renders `useMunityConnect` under StrictMode. */
function reactApp() {
  const modules = path.join(ROOT, ".tools/node/node_modules");
  const files = {
    "/react.js": path.join(modules, "react/umd/react.development.js"),
    "/react-dom.js": path.join(modules, "react-dom/umd/react-dom.development.js"),
  };
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script src="/react.js"></script><script src="/react-dom.js"></script>
<script type="importmap">{"imports": {"react": "/react-shim.js"}}</script>
<script type="module" src="/app.js"></script></head><body><div id="root"></div></body></html>`;
  const shim = "const R = window.React; export default R; export const { useCallback, useEffect, useRef, useState, createElement, StrictMode } = R;";
  const app = `
import { createElement as h, StrictMode, useEffect } from "react";
import { useMunityConnect } from "/pkg/react/index.js";
window.log = [];
function App({ link }) {
  const hook = useMunityConnect({
    link, apiBase: window.API,
    onSuccess: (c) => window.log.push(["success", c.connector]),
    onExit: () => window.log.push(["exit"]),
    onError: (e) => window.log.push(["error", e.code]),
  });
  useEffect(() => { window.hook = hook; });
  return h("button", { id: "open", "data-link": link, disabled: !hook.ready, onClick: () => { window.handle = hook.open(); } }, "Connect");
}
const root = ReactDOM.createRoot(document.getElementById("root"));
window.mount = (link) => root.render(h(StrictMode, null, h(App, { link })));
window.rendered = (link) => document.querySelector("#open")?.dataset.link === link && !document.querySelector("#open").disabled;
window.unmount = () => root.render(null);
document.body.dataset.ready = "true";
`;
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const send = (type, body) => res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(body);
    if (url.pathname === "/") return send("text/html", html);
    if (url.pathname === "/app.js") return send("text/javascript", app);
    if (url.pathname === "/react-shim.js") return send("text/javascript", shim);
    if (files[url.pathname]) return send("text/javascript", readFileSync(files[url.pathname]));
    const inPkg = url.pathname.startsWith("/pkg/") && path.resolve(pkgDir, "..", `.${url.pathname.slice(4)}`);
    if (inPkg && inPkg.startsWith(path.resolve(pkgDir, "..")) && existsSync(inPkg)) {
      return send(inPkg.endsWith(".wasm") ? "application/wasm" : "text/javascript", readFileSync(inPkg));
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

test("React: useMunityConnect under StrictMode opens one prompt or an OAuth2 popup at once; close() and unmount leave no dialog, popup or listener", async (t) => {
  if (skipReason()) return t.skip(skipReason());
  if (!existsSync(path.join(pkgDir, "..", "react", "index.js"))) return t.skip("the package has no react/ entry");
  if (!existsSync(path.join(ROOT, ".tools/node/node_modules/react-dom/umd"))) return t.skip("React is missing: scripts/setup-browser");
  const server = await reactApp();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const allow = (origins) => api("/workspace/", { method: "PATCH", body: JSON.stringify({ allowed_origins: origins }) });
  assert.equal((await allow([product.origin, origin])).status, 200);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(e.message));
  try {
    await page.addInitScript((api) => { window.API = api; }, sandbox.env.MUNITY_API_BASE);
    await page.goto(origin);
    await page.waitForSelector("body[data-ready=true]", { state: "attached" });
    const link = async (name) => (await (await fetch(`${product.url}api/munity/connect-link?connector=${name}`)).json()).link;
    const keyed = (await catalog()).connectors.find((c) => c.auth_type === "api_key");
    const messageListeners = async () => {
      const cdp = await context.newCDPSession(page);
      const { result } = await cdp.send("Runtime.evaluate", { expression: "window" });
      const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId });
      await cdp.detach();
      return listeners.filter((l) => l.type === "message").length;
    };
    const before = await messageListeners();

    const mount = async (name) => {
      const l = await link(name);
      await page.evaluate((l) => window.mount(l), l);
      await page.waitForFunction((l) => window.rendered(l), l);
    };
    // StrictMode mounts twice: still one working hook, one prompt per open().
    await mount(keyed.name);
    await page.click("#open");
    await page.waitForSelector("dialog.munity-connect[open]");
    assert.equal(await page.locator("dialog.munity-connect").count(), 1);
    // The handle open() returned closes it; no handler runs.
    await page.evaluate(() => window.handle.close());
    assert.equal(await page.locator("dialog.munity-connect").count(), 0, "close() removes the dialog");
    // Closed while the session is still loading: the prompt never shows.
    // (Waits for the session's answer and the page's next frame, not for a fixed time.)
    const sessionRead = page.waitForResponse((r) => r.url().includes("/connect/session"));
    await page.evaluate(() => window.hook.open().close());
    await sessionRead;
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve))));
    assert.equal(await page.locator("dialog.munity-connect").count(), 0, "close() before the session stops the prompt");
    // Cancel reports onExit; then a real connection through the prompt.
    await page.click("#open");
    await page.click("dialog.munity-connect .munity-cancel");
    await mount(keyed.name);
    await page.click("#open");
    for (const [name, value] of Object.entries(valuesFor(keyed))) await page.fill(`#munity-field-${name}`, value);
    await page.click("dialog.munity-connect button[type=submit]");
    await page.waitForFunction(() => window.log.some(([kind]) => kind === "success"));
    assert.deepEqual(await page.evaluate(() => window.log), [["exit"], ["success", keyed.name]]);
    // The prompt stays on its success state until the user closes it.
    await page.click('dialog.munity-connect[data-state="success"] .munity-cancel');
    await page.waitForSelector("dialog.munity-connect", { state: "detached" });

    // OAuth2: open() in the click opens the popup at once (not blocked); unmounting
    // closes it.
    await mount("jira");
    const popupPromise = page.waitForEvent("popup");
    await page.click("#open");
    const popup = await popupPromise;
    assert.equal(await page.locator("dialog.munity-connect").count(), 0, "no prompt before an OAuth2 popup");
    const popupClosed = popup.waitForEvent("close");
    await popup.waitForLoadState();
    await page.evaluate(() => window.unmount());
    await popupClosed;
    // The popup's message listener goes with its closed-window poll (every 250 ms): wait
    // for that to happen (the test's timeout bounds it), not for a fixed time.
    while ((await messageListeners()) !== before) {
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(resolve)));
    }
    assert.equal(await messageListeners(), before, "no message listener left behind");
    assert.equal(await page.evaluate(() => window.log.length), 2, "close and unmount call no handler");
    // And the direct popup connects.
    await mount("jira");
    const approving = page.waitForEvent("popup");
    await page.click("#open");
    await (await approving).click('button:has-text("Approve")');
    await page.waitForFunction(() => window.log.length === 3);
    assert.deepEqual(await page.evaluate(() => window.log[2]), ["success", "jira"]);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await allow([product.origin]);
    server.close();
  }
});
