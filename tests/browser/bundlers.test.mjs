// The npm package as a frontend team uses it: installed from the packed tarball
// (target/npm/*.tgz, from `scripts/build-pkg --pack`) into two apps, examples/vite-app
// (Vite 7) and examples/webpack-app (webpack 5), each built for production and opened in
// headless Chromium on its own origin, with the Munity API (the sandbox) on another and
// the product's backend (examples/product_backend.rs) signing the links. The package's
// own prompt takes the credentials; the connection must show through the API. Vite's dev
// server runs the same page. And the package imports in Node with no DOM (server-side
// rendering).
//
//   scripts/setup-bundler-examples && cargo build --features cli --bin munity --example product_backend \
//     && node --test tests/browser/bundlers.test.mjs
//
// The examples' tools (vite, webpack, webpack-cli) are pinned by their package-lock.json
// files; scripts/setup-bundler-examples installs them (npm ci). Without the tarball or the
// tools the tests are skipped with the reason.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { BIN, PRODUCT_BIN, ROOT, launchChromium, startProcess, startProductBackend } from "./support.mjs";

const TARBALLS = path.join(ROOT, "target/npm");
const VITE_APP = path.join(ROOT, "examples/vite-app");
const WEBPACK_APP = path.join(ROOT, "examples/webpack-app");
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

let sandbox;
let product;
let browser; // {context, profile}
const servers = []; // the apps' servers, closed after the tests
const missing = [];

function tarball() {
  const found = existsSync(TARBALLS) ? readdirSync(TARBALLS).filter((f) => /^munity-connect-.*\.tgz$/.test(f)) : [];
  return found.length === 1 ? path.join(TARBALLS, found[0]) : null;
}

function npm(args, cwd) {
  return execFileSync("npm", args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
}

/** Serves `dir` (a production build) on 127.0.0.1, with `/api/` passed to the product's
 * backend, as the product's own web server would: `{url, origin}`. */
function serveBuild(dir) {
  const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname.startsWith("/api/")) {
      const upstream = http.request(new URL(url.pathname + url.search, product.url), { method: req.method }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => res.writeHead(502).end());
      return req.pipe(upstream);
    }
    const name = path.normalize(url.pathname === "/" ? "/index.html" : url.pathname);
    const file = path.join(dir, name);
    if (!file.startsWith(dir + path.sep) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const url = `http://127.0.0.1:${server.address().port}/`;
      resolve({ url, origin: new URL(url).origin });
    }),
  );
}

async function api(pathAndQuery, init = {}) {
  const response = await fetch(`${sandbox.env.MUNITY_API_BASE}${pathAndQuery}`, {
    ...init,
    headers: { authorization: `X-Api-Key ${sandbox.env.MUNITY_ADMIN_KEY}`, "content-type": "application/json" },
  });
  return { status: response.status, body: await response.json() };
}

/** The workspace allows the page's origin (as the product's admin would), and only the
 * origins of the pages the tests opened so far. */
const allowed = [];
async function allow(origin) {
  allowed.push(origin);
  const answer = await api("/workspace/", { method: "PATCH", body: JSON.stringify({ allowed_origins: allowed }) });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
}

before(async () => {
  const packed = tarball();
  if (!packed) missing.push("the packed package (scripts/build-pkg --pack)");
  for (const [app, tool] of [[VITE_APP, "vite"], [WEBPACK_APP, "webpack"]]) {
    if (!existsSync(path.join(app, "node_modules/.bin", tool))) missing.push(`${tool} (scripts/setup-bundler-examples)`);
  }
  if (missing.length) return;
  assert.ok(existsSync(BIN), `${BIN} is missing: cargo build --features cli --bin munity`);
  assert.ok(existsSync(PRODUCT_BIN), `${PRODUCT_BIN} is missing: cargo build --example product_backend`);
  // Installed as a customer installs it: from the tarball, not the source folder. Not
  // saved: the examples' lock files pin their tools only (the tarball changes each build).
  for (const app of [VITE_APP, WEBPACK_APP]) {
    npm(["install", "--no-save", "--no-audit", "--no-fund", packed], app);
    const installed = path.join(app, "node_modules/@munity/connect");
    assert.equal(lstatSync(installed).isSymbolicLink(), false, "unpacked from the tarball, not linked to a folder");
    assert.ok(existsSync(path.join(installed, "web/munity_connect_bg.wasm")), installed);
  }
  sandbox = await startProcess(BIN, ["sandbox", "--memory", "--port", "0"], {}, "MUNITY_CERTIFICATE");
  product = await startProductBackend(sandbox.env);
  browser = await launchChromium();
});

after(async () => {
  await browser?.context.close();
  for (const server of servers) server.close();
  for (const running of [product, sandbox]) running?.child.kill("SIGTERM");
  if (browser) rmSync(browser.profile, { recursive: true, force: true });
});

function skipReason() {
  return missing.length ? `needs ${missing.join(" and ")}` : false;
}

/** Opens the app at `url`, connects an API-key connector through the package's prompt,
 * and checks the connection through the API. Fails on any console error or page error. */
async function connectThrough(url) {
  const { connectors } = await (await fetch(`${product.url}api/munity/connectors`)).json();
  const connector = connectors.find((c) => c.auth_type === "api_key");
  const page = await browser.context.newPage();
  const problems = [];
  page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
  page.on("pageerror", (err) => problems.push(err.message));
  await page.goto(`${url}?connector=${connector.name}`);
  // Ready, or the app's own error line: a page that cannot load the wasm fails here, with why.
  await page.waitForSelector("body[data-ready=true], #status.bad");
  const loaded = await page.textContent("#status");
  assert.deepEqual(problems, [], `no console errors (status: ${loaded})`);
  assert.equal(await page.getAttribute("body", "data-ready"), "true", `the app loaded the package: ${loaded}`);
  await page.click("#connect");
  await page.waitForSelector("dialog.munity-connect input");
  const typed = {};
  for (const field of connector.fields) {
    typed[field.name] = `typed-${field.name}-Zq81`;
    await page.fill(`dialog.munity-connect input[name="${field.name}"]`, typed[field.name]);
  }
  await page.click('dialog.munity-connect button:has-text("Connect")');
  await page.waitForSelector("#status.ok, #status.bad");
  const status = await page.textContent("#status");
  assert.match(status, new RegExp(`^Connected: ${UUID.source}$`), status);
  const id = status.match(UUID)[0];
  const customer = (await api("/customers/?external_id=acme")).body.results[0].id;
  const listed = await api(`/customers/${customer}/connections/`);
  assert.ok(listed.body.results.some((c) => c.id === id), "visible through the API");
  assert.deepEqual(problems, [], "no console errors");
  await page.close();
}

function build(app, args) {
  execFileSync(path.join(app, "node_modules/.bin", args[0]), args.slice(1), { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
  const dist = path.join(app, "dist");
  const files = readdirSync(dist, { recursive: true }).map(String);
  assert.ok(files.includes("index.html"), files.join(", "));
  assert.ok(files.some((f) => f.endsWith(".wasm")), `the bundler emitted the wasm: ${files.join(", ")}`);
  return dist;
}

test("Vite 7: production build from the tarball connects through the package's prompt", async (t) => {
  if (skipReason()) return t.skip(skipReason());
  const site = await serveBuild(build(VITE_APP, ["vite", "build", "--logLevel", "warn"]));
  assert.notEqual(site.origin, new URL(sandbox.env.MUNITY_API_BASE).origin);
  await allow(site.origin);
  await connectThrough(site.url);
});

test("webpack 5: production build from the tarball connects through the package's prompt", async (t) => {
  if (skipReason()) return t.skip(skipReason());
  const site = await serveBuild(build(WEBPACK_APP, ["webpack", "--mode", "production"]));
  await allow(site.origin);
  await connectThrough(site.url);
});

test("Vite 7: the dev server runs the same page", async (t) => {
  if (skipReason()) return t.skip(skipReason());
  const dev = spawn(path.join(VITE_APP, "node_modules/.bin/vite"), ["--host", "127.0.0.1", "--port", "0", "--clearScreen", "false"], {
    cwd: VITE_APP,
    env: { ...process.env, PRODUCT_URL: product.url, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let seen = "";
      const timer = setTimeout(() => reject(new Error(`vite did not start in 30 s: ${seen}`)), 30_000);
      dev.stdout.on("data", (chunk) => {
        seen += chunk;
        const found = seen.match(/http:\/\/127\.0\.0\.1:\d+\//);
        if (found) {
          clearTimeout(timer);
          resolve(found[0]);
        }
      });
      dev.on("exit", (code) => reject(new Error(`vite exited (${code}): ${seen}`)));
    });
    await allow(new URL(url).origin);
    await connectThrough(url);
  } finally {
    dev.kill("SIGTERM");
  }
});

test("server-side rendering: importing the package in Node, with no DOM, does not throw", async (t) => {
  if (skipReason()) return t.skip(skipReason());
  // Run inside the app, so that `@munity/connect` resolves as the app's server code would.
  const script = `const pkg = await import("@munity/connect");
    if (typeof globalThis.document !== "undefined") throw new Error("a DOM is present");
    console.log(JSON.stringify({ init: typeof pkg.default, MunityConnect: typeof pkg.MunityConnect }));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: VITE_APP, encoding: "utf8" });
  assert.deepEqual(JSON.parse(out), { init: "function", MunityConnect: "function" });
});
