// Packaging test: the tarball made by `scripts/build-pkg --pack` installs into an empty
// folder as a user would install it, imports with Node, runs, and its TypeScript
// declarations type-check a user's code under `tsc --strict` with no `any` in the API.
// Run: node --test js-tests/
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const packDir = join(root, "target", "npm");
const tsc = join(root, ".tools", "node", "node_modules", ".bin", "tsc");

function tarball() {
  const found = existsSync(packDir) ? readdirSync(packDir).filter((f) => /^munity-connect-.*\.tgz$/.test(f)) : [];
  assert.equal(found.length, 1, `expected one tarball in ${packDir}: run scripts/build-pkg --pack`);
  return join(packDir, found[0]);
}

const app = mkdtempSync(join(tmpdir(), "munity-pkg-"));
test.after(() => rmSync(app, { recursive: true, force: true }));

test("the tarball installs into an empty folder", () => {
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball()], { cwd: app, stdio: "inherit" });
  const manifest = JSON.parse(readFileSync(join(app, "node_modules", "@munity", "connect", "package.json"), "utf8"));
  const cargoVersion = /^version = "([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))[1];
  assert.equal(manifest.version, cargoVersion, "package version is Cargo.toml's");
  assert.equal(manifest.type, "module");
  for (const entry of ["web", "bundler"]) {
    for (const file of ["munity_connect.js", "munity_connect.d.ts", "munity_connect_bg.wasm"]) {
      assert.ok(existsSync(join(app, "node_modules", "@munity", "connect", entry, file)), `${entry}/${file} is packed`);
    }
  }
});

test("the web entry imports and runs in Node", () => {
  const script = `
    import { readFileSync } from "node:fs";
    import { fileURLToPath } from "node:url";
    import { initSync, MunityConnect, MunityError, parseLink, encryptCredentials } from "@munity/connect";
    const wasm = readFileSync(fileURLToPath(import.meta.resolve("@munity/connect/munity_connect_bg.wasm")));
    initSync({ module: wasm });
    const out = { types: [typeof MunityConnect, typeof parseLink, typeof encryptCredentials] };
    try { parseLink("https://example.test/v1/connect?v=1"); } catch (e) {
      out.error = { name: e.name, code: e.code, isError: e instanceof Error, isMunityError: e instanceof MunityError, fields: e.fields };
    }
    console.log(JSON.stringify(out));
  `;
  writeFileSync(join(app, "run.mjs"), script);
  const out = JSON.parse(execFileSync("node", ["run.mjs"], { cwd: app, encoding: "utf8" }));
  assert.deepEqual(out.types, ["function", "function", "function"]);
  assert.deepEqual(out.error, { name: "MunityError", code: "link_invalid", isError: true, isMunityError: true, fields: [] });
});

test("the installed package pins its API: a link on another host is refused with no request", () => {
  const script = `
    import { readFileSync } from "node:fs";
    import { fileURLToPath } from "node:url";
    import { initSync, MunityConnect } from "@munity/connect";
    initSync({ module: readFileSync(fileURLToPath(import.meta.resolve("@munity/connect/munity_connect_bg.wasm"))) });
    const requested = [];
    globalThis.fetch = async (url) => { requested.push(String(url)); throw new TypeError("recorded"); };
    const exp = Math.floor(Date.now() / 1000) + 600;
    const query = "v=1&workspace=ws_1&customer=cus_42&connector=jira&key=REM0aW39&exp=" + exp +
      "&nonce=" + Buffer.alloc(16, 3).toString("base64url") + "&sig=" + Buffer.alloc(32, 9).toString("base64url");
    const code = async (options, link) => {
      try { await new MunityConnect(options).describe(link); return "resolved"; } catch (e) { return e.code; }
    };
    const out = {
      attacker: await code(undefined, "https://attacker.example/v1/connect?" + query),
      sandboxWithDefaultPin: await code(undefined, "http://127.0.0.1:8787/v1/connect?" + query),
      otherPort: await code({ apiBase: "http://127.0.0.1:8787/v1" }, "http://127.0.0.1:8788/v1/connect?" + query),
      requestsBefore: requested.length,
      pinned: await code({ apiBase: "http://127.0.0.1:8787/v1" }, "http://127.0.0.1:8787/v1/connect?" + query),
      plainHttpApi: await code({ apiBase: "http://api.example.com/v1" }, "http://api.example.com/v1/connect?" + query),
      badPin: await code({ certificateKid: "short" }, "https://api.munityapps.com/v1/connect?" + query),
    };
    out.requested = requested;
    console.log(JSON.stringify(out));
  `;
  writeFileSync(join(app, "pin.mjs"), script);
  const out = JSON.parse(execFileSync("node", ["pin.mjs"], { cwd: app, encoding: "utf8" }));
  assert.equal(out.attacker, "link_foreign_host");
  assert.equal(out.sandboxWithDefaultPin, "link_foreign_host", "the default pin is the production API");
  assert.equal(out.otherPort, "link_foreign_host");
  assert.equal(out.requestsBefore, 0, "no request for a refused link");
  assert.equal(out.pinned, "network", "the pinned API is asked (and the recorder fails)");
  assert.equal(out.requested.length, 1);
  assert.match(out.requested[0], /^http:\/\/127\.0\.0\.1:8787\/v1\/connect\/session\?v=1&/);
  assert.equal(out.plainHttpApi, "invalid_option", "http only on loopback");
  assert.equal(out.badPin, "invalid_option");
});

test("the declarations have no `any` and type-check a user's code", (t) => {
  for (const entry of ["web", "bundler"]) {
    const dts = readFileSync(join(app, "node_modules", "@munity", "connect", entry, "munity_connect.d.ts"), "utf8");
    const publicPart = dts.split("export type InitInput")[0];
    assert.doesNotMatch(publicPart, /\bany\b/, `${entry}/munity_connect.d.ts declares the API without any`);
  }
  if (!existsSync(tsc)) {
    t.skip("typescript is not installed: run scripts/setup-wasm");
    return;
  }
  writeFileSync(join(app, "user.ts"), readFileSync(join(root, "js-tests", "fixtures", "user.ts"), "utf8"));
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", lib: ["es2022", "esnext.disposable", "dom"], skipLibCheck: false },
    files: ["user.ts"],
  }));
  execFileSync(tsc, ["-p", "tsconfig.json"], { cwd: app, stdio: "inherit" });
});
