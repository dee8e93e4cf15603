// The React entry of the packed package (`@munity/connect/react`), in Node: it imports
// during server-side rendering (no window, no document) without throwing, renders, loads
// nothing there, and stays within its size budget. Its behaviour in a browser (StrictMode,
// open, close, unmount) is tested in Chromium by tests/browser/demo.test.mjs.
// React comes from .tools/node (scripts/setup-browser); the tarball from
// `scripts/build-pkg --pack`. Run: node --test js-tests/
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const packDir = join(root, "target", "npm");
const tools = join(root, ".tools", "node", "node_modules");
const REACT_BUDGET = 3000; // bytes, gzip -9

const app = mkdtempSync(join(tmpdir(), "munity-react-"));
test.after(() => rmSync(app, { recursive: true, force: true }));

function install(t) {
  const found = existsSync(packDir) ? readdirSync(packDir).filter((f) => /^munity-connect-.*\.tgz$/.test(f)) : [];
  assert.equal(found.length, 1, `expected one tarball in ${packDir}: run scripts/build-pkg --pack`);
  if (!existsSync(join(tools, "react-dom"))) {
    t.skip("react is not installed: run scripts/setup-browser");
    return false;
  }
  if (existsSync(join(app, "node_modules"))) return true;
  // The tarball as npm lays it out, with the app's own React beside it.
  const modules = join(app, "node_modules");
  mkdirSync(join(modules, "@munity", "connect"), { recursive: true });
  execFileSync("tar", ["xzf", join(packDir, found[0]), "-C", join(modules, "@munity", "connect"), "--strip-components=1"]);
  for (const name of ["react", "react-dom", "scheduler", "loose-envify", "js-tokens"]) {
    if (existsSync(join(tools, name))) symlinkSync(join(tools, name), join(modules, name));
  }
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "ssr-app", private: true, type: "module" }));
  return true;
}

test("server-side rendering: both entries import without a DOM and the hook renders not ready", (t) => {
  if (!install(t)) return;
  const script = `
    import { createElement } from "react";
    import { renderToString } from "react-dom/server";
    import * as web from "@munity/connect";
    import { useMunityConnect } from "@munity/connect/react";
    function Connect() {
      const { ready, error, open } = useMunityConnect({ link: "x", onSuccess() {} });
      return createElement("button", { disabled: !ready, "data-error": String(error), "data-open": String(open()) }, "Connect");
    }
    console.log(JSON.stringify({
      dom: [typeof window, typeof document],
      exports: ["MunityConnect", "MunityError", "parseLink"].map((name) => typeof web[name]),
      html: renderToString(createElement(Connect)),
    }));
  `;
  writeFileSync(join(app, "ssr.mjs"), script);
  const out = JSON.parse(execFileSync("node", ["ssr.mjs"], { cwd: app, encoding: "utf8" }));
  assert.deepEqual(out.dom, ["undefined", "undefined"], "Node has no DOM here");
  assert.deepEqual(out.exports, ["function", "function", "function"]);
  assert.equal(out.html, '<button disabled="" data-error="null" data-open="null">Connect</button>');
});

test("the React entry is separate JS within 3 KB gzipped and does not bundle React", (t) => {
  if (!install(t)) return;
  const entry = join(app, "node_modules", "@munity", "connect", "react", "index.js");
  const source = readFileSync(entry);
  const zipped = gzipSync(source, { level: 9 }).length;
  console.log(`react/index.js: ${source.length} B raw, ${zipped} B gzip -9 (budget ${REACT_BUDGET} B)`);
  assert.ok(zipped <= REACT_BUDGET, `${zipped} B gzipped`);
  assert.match(source.toString(), /from "react"/, "React is imported, as a peer dependency");
  const manifest = JSON.parse(readFileSync(join(app, "node_modules", "@munity", "connect", "package.json"), "utf8"));
  assert.deepEqual(manifest.exports["./react"], { types: "./react/index.d.ts", default: "./react/index.js" });
  assert.equal(manifest.peerDependenciesMeta.react.optional, true);
  assert.ok(!manifest.dependencies?.react, "React is never a dependency");
});
