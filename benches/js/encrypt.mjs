// encryptCredentials (this package, wasm in Node) vs npm jose's CompactEncrypt on the
// same public key and the same credentials, in the same run, interleaved.
// Run: scripts/build-pkg && node benches/js/encrypt.mjs   (jose from scripts/setup-wasm)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = await import(pathToFileURL(join(root, "pkg", "web", "munity_connect.js")));
pkg.initSync({ module: readFileSync(join(root, "pkg", "web", "munity_connect_bg.wasm")) });
const require = createRequire(join(root, ".tools", "node", "package.json"));
const jose = await import(pathToFileURL(require.resolve("jose")));

// A well-formed, unexpired link (the browser checks the form; the signature is the
// platform's to check).
const b64url = (n) => Buffer.alloc(n, 7).toString("base64url");
const exp = Math.floor(Date.now() / 1000) + 3600;
const link = `https://api.munityapps.com/v1/connect?v=1&workspace=ws_1&customer=cus_42&connector=jira&key=REM0aW39&exp=${exp}&nonce=${b64url(16)}&sig=${b64url(32)}`;
const credentials = { username: "ada@example.com", password: "correct horse battery staple" };

async function keyOf(crv) {
  const { publicKey } = await jose.generateKeyPair("ECDH-ES", { crv, extractable: true });
  return { jwk: await jose.exportJWK(publicKey), key: publicKey };
}

const encoder = new TextEncoder();
function joseSeal(key, kid) {
  // The same payload shape as ours: binding, times, credentials.
  const now = Math.floor(Date.now() / 1000);
  const payload = JSON.stringify({ v: 1, workspace: "ws_1", customer: "cus_42", connector: "jira", nonce: b64url(16), iat: now, exp: now + 300, credentials });
  return new jose.CompactEncrypt(encoder.encode(payload)).setProtectedHeader({ alg: "ECDH-ES", enc: "A256GCM", kid }).encrypt(key);
}

async function time(fn, n) {
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - start) / n;
}

const rounds = Number(process.env.ROUNDS || 5);
const n = Number(process.env.N || 200);
for (const crv of ["P-256", "X25519"]) {
  const { jwk, key } = await keyOf(crv);
  const certificate = JSON.stringify(jwk);
  const ours = () => pkg.encryptCredentials(certificate, link, credentials);
  const theirs = () => joseSeal(key, "bench");
  await time(ours, 20);
  await time(theirs, 20);
  const a = [], b = [];
  for (let r = 0; r < rounds; r++) {
    a.push(await time(ours, n));
    b.push(await time(theirs, n));
  }
  const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const us = median(a) * 1000, them = median(b) * 1000;
  console.log(`${crv.padEnd(6)} encryptCredentials ${us.toFixed(1)} µs/op   jose CompactEncrypt ${them.toFixed(1)} µs/op   ratio ours/jose ${(us / them).toFixed(2)}`);
}
