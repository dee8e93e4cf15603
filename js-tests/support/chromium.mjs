// A page in headless Chromium (Debian's /usr/bin/chromium, driven by npm playwright-core
// from .tools/node: scripts/setup-browser) that loads the package's web build and npm
// jose's browser build from a static server on 127.0.0.1. Shared by
// js-tests/browser-seal.test.mjs and benches/js/encrypt.mjs.
//
//   const page = await openPage();            // http://127.0.0.1:<port>/ : a secure context
//   const page = await openPage({ insecure: true }); // http://munity-insecure.test:<port>/,
//                                             // resolved to 127.0.0.1: not a secure context
//   await page.evaluate(async () => { const { munity, jose } = window; ... });
//   await page.close();                       // stops the browser and the server
//
// In the page, `window.munity` is the package (initialized) and `window.jose` is jose.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(join(ROOT, ".tools", "node", "package.json"));

const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const INSECURE_HOST = "munity-insecure.test";

const PAGE = `<!doctype html><meta charset="utf-8"><title>munity</title>
<script type="module">
  import init, * as munity from "/pkg/munity_connect.js";
  import * as jose from "/jose/index.js";
  try {
    await init({ module_or_path: "/pkg/munity_connect_bg.wasm" });
    Object.assign(window, { munity, jose, ready: true });
  } catch (err) {
    window.ready = String(err);
  }
</script>`;

/// Serves `/` (the page), `/pkg/` (pkg/web) and `/jose/` (jose's browser build).
function serve(pkgDir) {
  const joseDir = join(dirname(require.resolve("jose/package.json")), "dist", "browser");
  const mounts = [["/pkg/", pkgDir], ["/jose/", joseDir]];
  const server = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
      return;
    }
    for (const [prefix, dir] of mounts) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (file.startsWith(dir) && existsSync(file)) {
        res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream" });
        res.end(readFileSync(file));
        return;
      }
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/// Opens the page; `page.close()` also closes the browser and stops the server.
export async function openPage({ insecure = false, pkgDir = join(ROOT, "pkg", "web") } = {}) {
  if (!existsSync(join(pkgDir, "munity_connect.js"))) throw new Error(`no package in ${pkgDir}: run scripts/build-pkg`);
  const { chromium } = require("playwright-core");
  const server = await serve(pkgDir);
  const profile = mkdtempSync(join(tmpdir(), "munity-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      // Only this test name is mapped, to the local server.
      `--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`,
    ],
  });
  const page = await context.newPage();
  const { port } = server.address();
  await page.goto(`http://${insecure ? INSECURE_HOST : "127.0.0.1"}:${port}/`);
  await page.waitForFunction(() => window.ready !== undefined);
  const ready = await page.evaluate(() => window.ready);
  const close = page.close.bind(page);
  page.close = async () => {
    await close();
    await context.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  };
  if (ready !== true) {
    await page.close();
    throw new Error(`the package did not load in Chromium: ${ready}`);
  }
  return page;
}
