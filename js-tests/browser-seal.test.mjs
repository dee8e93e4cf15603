// Sealing in the browser, where the package runs: encryptCredentials in headless Chromium
// (the web build on WebCrypto, a page on 127.0.0.1) opened by the platform side (the
// crate's `munity open`, ring + RustCrypto natively) and by npm jose in Node; the other
// way round, `munity seal` (ring) opened by jose's browser build on Chromium's WebCrypto;
// both curves. And outside a secure context the package refuses with `insecure_context`.
// Needs: scripts/build-pkg (pkg/web), `cargo build --features cli` (target/debug/munity),
// scripts/setup-wasm (jose), scripts/setup-browser (Chromium, playwright-core).
// Run: node --test js-tests/
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, openPage } from "./support/chromium.mjs";

const munity = join(ROOT, "target", "debug", "munity");
assert.ok(existsSync(munity), "run cargo build --features cli first (target/debug/munity)");
const jose = await import(pathToFileURL(createRequire(join(ROOT, ".tools", "node", "package.json")).resolve("jose")));

const dir = mkdtempSync(join(tmpdir(), "munity-browser-seal-"));
let page;
before(async () => { page = await openPage(); });
after(async () => {
  await page?.close();
  rmSync(dir, { recursive: true, force: true });
});

// A well-formed, unexpired link: the browser checks its form, not its signature.
const nonce = Buffer.alloc(16, 5).toString("base64url");
const exp = Math.floor(Date.now() / 1000) + 600;
const link = `https://api.munityapps.com/v1/connect?v=1&workspace=ws_1&customer=cus_42&connector=jira&key=REM0aW39&exp=${exp}&nonce=${nonce}&sig=${Buffer.alloc(32, 9).toString("base64url")}`;
const credentials = { username: "ada@example.com", password: "correct horse battery staple" };
const binding = ["--workspace", "ws_1", "--customer", "cus_42", "--connector", "jira", "--nonce", nonce];

const curves = {
  "P-256": () => generateKeyPairSync("ec", { namedCurve: "prime256v1" }),
  X25519: () => generateKeyPairSync("x25519"),
};

for (const [curve, generate] of Object.entries(curves)) {
  test(`${curve}: sealed in Chromium, opened by munity open and by jose`, async () => {
    const { publicKey, privateKey } = generate();
    const keyFile = join(dir, `${curve}.pem`);
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
    const workspaceKey = JSON.stringify(publicKey.export({ format: "jwk" }));

    const jwe = await page.evaluate(
      ([certificate, link, credentials]) => window.munity.encryptCredentials(certificate, link, credentials),
      [workspaceKey, link, credentials],
    );
    assert.equal(jwe.split(".").length, 5);
    assert.ok(!jwe.includes(credentials.password), "nothing in clear");

    const opened = JSON.parse(execFileSync(munity, ["open", "--key", keyFile, ...binding], { input: jwe, encoding: "utf8" }));
    assert.deepEqual(opened.credentials, credentials, "munity open: credentials");
    assert.equal(opened.nonce, nonce, "munity open: the link's nonce");

    const { plaintext, protectedHeader } = await jose.compactDecrypt(jwe, privateKey);
    assert.equal(protectedHeader.alg, "ECDH-ES");
    assert.equal(protectedHeader.enc, "A256GCM");
    assert.equal(protectedHeader.epk.crv, curve);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(plaintext)).credentials, credentials, "jose: credentials");
  });

  test(`${curve}: sealed natively (munity seal, ring), opened by jose on Chromium's WebCrypto`, async () => {
    const { publicKey, privateKey } = generate();
    const certificateFile = join(dir, `${curve}-public.pem`);
    writeFileSync(certificateFile, publicKey.export({ type: "spki", format: "pem" }));
    const jwe = execFileSync(munity, ["seal", "--certificate", certificateFile, ...binding], {
      input: JSON.stringify(credentials),
      encoding: "utf8",
    }).trim();

    const opened = await page.evaluate(async ([jwe, jwk]) => {
      const { jose } = window;
      const key = await jose.importJWK(jwk, "ECDH-ES");
      const { plaintext, protectedHeader } = await jose.compactDecrypt(jwe, key);
      return { header: protectedHeader, payload: JSON.parse(new TextDecoder().decode(plaintext)) };
    }, [jwe, privateKey.export({ format: "jwk" })]);
    assert.equal(opened.header.epk.crv, curve);
    assert.deepEqual(opened.payload.credentials, credentials, "jose in Chromium: credentials");
    assert.equal(opened.payload.nonce, nonce);
  });
}

test("outside a secure context encryptCredentials rejects with insecure_context, and seals nothing", async () => {
  const insecure = await openPage({ insecure: true });
  try {
    const result = await insecure.evaluate(async ([link, credentials]) => {
      const jwk = JSON.stringify({ kty: "OKP", crv: "X25519", x: "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08" });
      try {
        return { sealed: await window.munity.encryptCredentials(jwk, link, credentials) };
      } catch (err) {
        return { secure: window.isSecureContext, name: err.name, code: err.code, message: err.message };
      }
    }, [link, credentials]);
    assert.equal(result.sealed, undefined, "no envelope");
    assert.equal(result.secure, false, "the page is not a secure context");
    assert.equal(result.name, "MunityError");
    assert.equal(result.code, "insecure_context");
    assert.match(result.message, /secure context/);
  } finally {
    await insecure.close();
  }
});
