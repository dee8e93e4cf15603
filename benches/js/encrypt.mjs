// encryptCredentials (this package) vs npm jose's CompactEncrypt (what a frontend would use
// instead) on the same public key and the same credentials, in one run: first in Node (the
// wasm in Node, jose on node:crypto), then in headless Chromium (the package's web build,
// jose's browser build on WebCrypto; a page on 127.0.0.1, playwright-core). Interleaved
// rounds (21 of 50 seals each side by default: short rounds, so that load drifting on a
// shared machine hits both sides alike); the median per side.
//
// Run: scripts/build-pkg && node benches/js/encrypt.mjs
//   (jose from scripts/setup-wasm, Chromium and playwright-core from scripts/setup-browser;
//    ROUNDS and N set the rounds and the seals per round; CHROMIUM=0 skips the browser)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, openPage } from "../../js-tests/support/chromium.mjs";

// Self-contained (it is sent to the page as source): uses only `env.munity`, `env.jose`
// and what both Node and browsers have.
async function benchEncrypt({ rounds, n }, env = globalThis) {
  const { munity, jose } = env;
  const b64url = (len) => btoa(String.fromCharCode(...new Uint8Array(len).fill(7)))
    .replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  // A well-formed, unexpired link (the browser checks the form; the signature is the
  // platform's to check).
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const link = `https://api.munityapps.com/v1/connect?v=1&workspace=ws_1&customer=cus_42&connector=jira&key=REM0aW39&exp=${exp}&nonce=${b64url(16)}&sig=${b64url(32)}`;
  const credentials = { username: "ada@example.com", password: "correct horse battery staple" };
  const encoder = new TextEncoder();
  function joseSeal(key, kid) {
    // The same payload shape as ours: binding, times, credentials.
    const now = Math.floor(Date.now() / 1000);
    const payload = JSON.stringify({ v: 1, workspace: "ws_1", customer: "cus_42", connector: "jira", nonce: b64url(16), iat: now, exp: now + 300, credentials });
    return new jose.CompactEncrypt(encoder.encode(payload)).setProtectedHeader({ alg: "ECDH-ES", enc: "A256GCM", kid }).encrypt(key);
  }
  async function time(fn, count) {
    const start = performance.now();
    for (let i = 0; i < count; i++) await fn();
    return (performance.now() - start) / count;
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const results = [];
  for (const crv of ["P-256", "X25519"]) {
    const { publicKey } = await jose.generateKeyPair("ECDH-ES", { crv, extractable: true });
    const certificate = JSON.stringify(await jose.exportJWK(publicKey));
    const ours = () => munity.encryptCredentials(certificate, link, credentials);
    const theirs = () => joseSeal(publicKey, "bench");
    await time(ours, 20);
    await time(theirs, 20);
    const a = [], b = [];
    for (let r = 0; r < rounds; r++) {
      a.push(await time(ours, n));
      b.push(await time(theirs, n));
    }
    results.push({ crv, ours: median(a) * 1000, jose: median(b) * 1000 });
  }
  return results;
}

function print(where, results) {
  for (const { crv, ours, jose } of results) {
    console.log(`${where.padEnd(8)} ${crv.padEnd(6)} encryptCredentials ${ours.toFixed(1)} µs/op   jose CompactEncrypt ${jose.toFixed(1)} µs/op   ratio ours/jose ${(ours / jose).toFixed(2)}`);
  }
}

const options = { rounds: Number(process.env.ROUNDS || 21), n: Number(process.env.N || 50) };
const web = join(ROOT, "pkg", "web");

const munity = await import(pathToFileURL(join(web, "munity_connect.js")));
munity.initSync({ module: readFileSync(join(web, "munity_connect_bg.wasm")) });
const jose = await import(pathToFileURL(createRequire(join(ROOT, ".tools", "node", "package.json")).resolve("jose")));
print("Node", await benchEncrypt(options, { munity, jose }));

if (process.env.CHROMIUM !== "0") {
  const page = await openPage();
  try {
    const version = await page.evaluate(() => navigator.userAgent.match(/Chrome\/(\d+)/)?.[1]);
    print(`Chromium ${version}`.slice(0, 12), await page.evaluate(benchEncrypt, options));
  } finally {
    await page.close();
  }
}
