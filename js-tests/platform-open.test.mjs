// encryptCredentials' output (the package, wasm in Node) opened by the platform side:
// the crate's own `munity open` (Rust, feature platform) with the binding checked, and
// npm jose (an independent JOSE implementation), for P-256 and X25519 keys.
// Needs: scripts/build-pkg (pkg/web), `cargo build --features cli` (target/debug/munity),
// scripts/setup-wasm (jose). Run: node --test js-tests/
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const munity = join(root, "target", "debug", "munity");
const web = join(root, "pkg", "web");
assert.ok(existsSync(join(web, "munity_connect.js")), "run scripts/build-pkg first");
assert.ok(existsSync(munity), "run cargo build --features cli first (target/debug/munity)");
const pkg = await import(pathToFileURL(join(web, "munity_connect.js")));
pkg.initSync({ module: readFileSync(join(web, "munity_connect_bg.wasm")) });
const jose = await import(pathToFileURL(createRequire(join(root, ".tools", "node", "package.json")).resolve("jose")));

const dir = mkdtempSync(join(tmpdir(), "munity-open-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

// A well-formed, unexpired link: the browser checks its form, not its signature.
const nonce = Buffer.alloc(16, 3).toString("base64url");
const exp = Math.floor(Date.now() / 1000) + 600;
const link = `https://api.munityapps.com/v1/connect?v=1&workspace=ws_1&customer=cus_42&connector=jira&key=REM0aW39&exp=${exp}&nonce=${nonce}&sig=${Buffer.alloc(32, 9).toString("base64url")}`;
const credentials = { username: "ada@example.com", password: "correct horse battery staple" };

const keys = {
  "P-256": () => generateKeyPairSync("ec", { namedCurve: "prime256v1" }),
  X25519: () => generateKeyPairSync("x25519"),
};

for (const [curve, generate] of Object.entries(keys)) {
  test(`${curve}: munity open (Rust platform side) and jose read what encryptCredentials sealed`, async () => {
    const { publicKey, privateKey } = generate();
    const workspaceKey = JSON.stringify(publicKey.export({ format: "jwk" }));
    const keyFile = join(dir, `${curve}.pem`);
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));

    const jwe = await pkg.encryptCredentials(workspaceKey, link, credentials);
    assert.equal(jwe.split(".").length, 5);
    assert.ok(!jwe.includes(credentials.password), "nothing in clear");

    const opened = JSON.parse(execFileSync(munity, [
      "open", "--key", keyFile, "--workspace", "ws_1", "--customer", "cus_42", "--connector", "jira", "--nonce", nonce,
    ], { input: jwe, encoding: "utf8" }));
    assert.deepEqual(opened.credentials, credentials, "munity open: credentials");
    assert.equal(opened.connector, "jira");
    assert.equal(opened.customer, "cus_42");
    assert.equal(opened.nonce, nonce);

    // A different session's binding is refused by the platform.
    assert.throws(() => execFileSync(munity, [
      "open", "--key", keyFile, "--customer", "cus_43", "--connector", "jira", "--nonce", nonce,
    ], { input: jwe, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] }));

    const { plaintext, protectedHeader } = await jose.compactDecrypt(jwe, privateKey);
    assert.equal(protectedHeader.alg, "ECDH-ES");
    assert.equal(protectedHeader.enc, "A256GCM");
    assert.deepEqual(JSON.parse(new TextDecoder().decode(plaintext)).credentials, credentials, "jose: credentials");
  });
}

test("the package reads the workspace key as a JWK: a PEM is refused, saying where the JWK is", async () => {
  const { publicKey } = keys["P-256"]();
  const pem = publicKey.export({ type: "spki", format: "pem" });
  await assert.rejects(pkg.encryptCredentials(pem, link, credentials), (err) => {
    assert.equal(err.code, "certificate_invalid");
    assert.match(err.message, /public JWK.*`jwk`/s);
    return true;
  });
  assert.throws(() => new pkg.MunityConnect({ certificate: pem }), (err) => err.code === "certificate_invalid");
  const jwk = JSON.stringify(publicKey.export({ format: "jwk" }));
  assert.doesNotThrow(() => new pkg.MunityConnect({ certificate: jwk }));
});

// Node 20 can deadlock in KeyObject.export({ format: "jwk" }) of a key that
// generateKeyPairSync has just made, if a garbage collection runs during the export
// (seen in CI: `node --gc-interval=20` sealing X25519 hangs within a few thousand
// seals). The package reads the ephemeral point from the SPKI DER instead.
test("in Node the ephemeral key is read from its SPKI DER, never exported as a JWK", async () => {
  for (const generate of Object.values(keys)) {
    const { publicKey } = generate();
    const workspaceKey = JSON.stringify(publicKey.export({ format: "jwk" }));
    const prototype = Object.getPrototypeOf(publicKey);
    const original = prototype.export;
    const formats = [];
    prototype.export = function (options) {
      formats.push(options?.format);
      return original.call(this, options);
    };
    try {
      await pkg.encryptCredentials(workspaceKey, link, credentials);
    } finally {
      prototype.export = original;
    }
    assert.deepEqual(formats, ["der"], `${publicKey.asymmetricKeyType}: one DER export`);
  }
});
