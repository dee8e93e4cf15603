// End-to-end tests of the demo page in headless Chromium (Debian's /usr/bin/chromium,
// driven by npm playwright-core from .tools/node; install both with scripts/setup-browser).
//
//   cargo build --features cli --bin munity && node --test tests/browser/
//
// Each test file run starts its own `munity sandbox --memory --port 0 --www www [--pkg
// pkg/web]` on 127.0.0.1 and reads its MUNITY_* lines. Screenshots of each prompt go to
// test-output/. The connect flows need the npm package (pkg/web, from scripts/build-pkg)
// and the sandbox's connect routes (`/v1/connect/session`, `/v1/connect/credentials`):
// when either is missing, those tests are skipped with the reason, and the rest run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = path.join(ROOT, "test-output");
const require = createRequire(path.join(ROOT, ".tools/node/package.json"));
const { chromium } = require("playwright-core");

const BIN = process.env.MUNITY_BIN || path.join(ROOT, "target/debug/munity");
const PKG = process.env.MUNITY_PKG || path.join(ROOT, "pkg/web");

let sandbox; // {child, env}
let context; // a persistent browser context on a fresh profile
let profile;
let missing = []; // why the connect flows cannot run

function startSandbox() {
  const args = ["sandbox", "--memory", "--port", "0", "--www", path.join(ROOT, "www")];
  if (existsSync(PKG)) args.push("--pkg", PKG);
  const child = spawn(BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    const env = {};
    const lines = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error("the sandbox did not start in 30 s")), 30_000);
    child.on("exit", (code) => reject(new Error(`the sandbox exited (${code})`)));
    lines.on("line", (line) => {
      const [name, ...rest] = line.split("=");
      env[name] = rest.join("=");
      if (name === "MUNITY_DEMO_URL") {
        clearTimeout(timer);
        resolve({ child, env });
      }
    });
  });
}

async function api(pathAndQuery) {
  const response = await fetch(`${sandbox.env.MUNITY_API_BASE}${pathAndQuery}`, {
    headers: { authorization: `X-Api-Key ${sandbox.env.MUNITY_ADMIN_KEY}` },
  });
  return { status: response.status, body: await response.json() };
}

before(async () => {
  assert.ok(existsSync(BIN), `${BIN} is missing: cargo build --features cli --bin munity`);
  mkdirSync(OUT, { recursive: true });
  sandbox = await startSandbox();
  if (!existsSync(path.join(PKG, "munity_connect.js"))) missing.push(`the npm package (${PKG}; scripts/build-pkg)`);
  // With a key, a /v1 path the sandbox does not route is 404 (the link route answers 400).
  const session = await fetch(`${sandbox.env.MUNITY_API_BASE}/connect/session?v=1`, {
    headers: { authorization: `X-Api-Key ${sandbox.env.MUNITY_ADMIN_KEY}` },
  });
  if (session.status === 404) missing.push("the sandbox route GET /v1/connect/session");
  profile = mkdtempSync(path.join(tmpdir(), "munity-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  // Which Chromium ran the tests: Debian serves whatever version is current.
  const probe = await context.newPage();
  const { product } = await (await context.newCDPSession(probe)).send("Browser.getVersion");
  console.log(`browser: ${product}`);
  await probe.close();
});

after(async () => {
  await context?.close();
  sandbox?.child.kill("SIGTERM");
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function openDemo(viewport = { width: 1000, height: 900 }) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(sandbox.env.MUNITY_DEMO_URL);
  await page.waitForSelector("body[data-ready=true]");
  return page;
}

async function customerId(page, externalId) {
  return page.evaluate(async (ext) => {
    const catalog = await (await fetch("/demo/catalog")).json();
    return catalog.customers.find((c) => c.external_id === ext).id;
  }, externalId);
}

/** Asks the demo backend for a new link and returns it. Waits for a link that differs from
 * the one shown before the click: the page keeps a link on screen until a new one replaces
 * it, and reading the old one (already used) made a later step fail with `link_used`. */
async function getLink(page, connector, style = "promise") {
  await page.selectOption("#customer", await customerId(page, "acme"));
  await page.selectOption("#connector", connector);
  await page.check(`input[name=style][value=${style}]`);
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

test("the page loads the catalog and gets a signed link from the demo route", async () => {
  const page = await openDemo();
  const connectors = await page.$$eval("#connector option", (os) => os.map((o) => o.value));
  assert.ok(connectors.includes("jira"), `${connectors}`);
  const types = await page.evaluate(async () =>
    [...new Set((await (await fetch("/demo/catalog")).json()).connectors.map((c) => c.auth_type))].sort(),
  );
  assert.deepEqual(types, ["api_key", "aws4", "basic", "bearer", "headers", "hmac_sha256", "none", "oauth2", "user_credentials"]);
  const link = await getLink(page, "jira");
  assert.match(link, new RegExp(`^${sandbox.env.MUNITY_API_BASE}/connect\\?v=1&workspace=`));
  assert.ok(!link.includes(sandbox.env.MUNITY_ADMIN_KEY), "the link does not carry the key");
  await page.close();
});

test("every input of every prompt has a label; secrets are password inputs; phone width fits", async (t) => {
  // With the package, the prompt comes from the session (describe); without it, from the catalog.
  if (existsSync(path.join(PKG, "munity_connect.js")) && missing.length) return t.skip(`needs ${missing.join(" and ")}`);
  const page = await openDemo({ width: 375, height: 800 });
  const catalog = await page.evaluate(async () => (await fetch("/demo/catalog")).json());
  for (const connector of catalog.connectors) {
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
    assert.equal(inputs.length, connector.fields.length, connector.name);
    for (const field of connector.fields) {
      const input = inputs.find((i) => i.name === field.name);
      assert.ok(input?.label, `${connector.name}.${field.name} has a label`);
      assert.equal(input.type === "password", field.secret || field.kind === "password", `${connector.name}.${field.name}`);
    }
    const button = await page.textContent("#connect");
    assert.equal(button, connector.auth_type === "oauth2" ? `Connect with ${connector.display_name}` : "Connect");
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
      ({ query }) =>
        new Promise((resolve) => {
          window.addEventListener("message", (e) => resolve({ origin: e.origin, data: e.data }), { once: true });
          const url = `/v1/connect/oauth2/authorize?link=${encodeURIComponent(query)}&origin=${encodeURIComponent(location.origin)}`;
          window.open(url, "munity-oauth", "width=500,height=700");
        }),
      { query },
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
    assert.equal(origin, new URL(sandbox.env.MUNITY_DEMO_URL).origin);
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
  const customer = await customerId(page, "acme");
  const listed = await api(`/customers/${customer}/connections/`);
  assert.ok(listed.body.results.some((c) => c.id === id), "visible through the API");
  await page.close();
}

function connectorWith(authType) {
  return fetch(`${sandbox.env.MUNITY_DEMO_URL}demo/catalog`)
    .then((r) => r.json())
    .then((c) => c.connectors.find((x) => x.auth_type === authType));
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
      assert.match(status, /^Connected: con_/, status);
      connected.push(status.match(/con_[A-Za-z0-9_]+/)[0]);
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
