// Times npm jose's CompactEncrypt (ECDH-ES + A256GCM) on the same payload and keys as
// `cargo bench --bench envelope`.
// stdin: {"plaintext": "...", "keys": {"p256": {jwk, kid}, "x25519": {jwk, kid}}}
// stdout: {"p256": mean ns per seal, "x25519": mean ns per seal, "iterations": n}
'use strict';
const jose = require('./jose.cjs');
const readStdinJson = require('./read-stdin.cjs');

async function time(key, kid, plaintext, iterations) {
  const seal = () => new jose.CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', kid })
    .encrypt(key);
  for (let i = 0; i < 300; i++) await seal(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await seal();
  return Number(process.hrtime.bigint() - start) / iterations;
}

(async () => {
  const { plaintext, keys } = await readStdinJson();
  const iterations = 3000;
  const out = { iterations };
  for (const [name, { jwk, kid }] of Object.entries(keys)) {
    const key = await jose.importJWK(jwk, 'ECDH-ES');
    out[name] = await time(key, kid, plaintext, iterations);
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => {
  console.error(`jose-bench: ${err.message}`);
  process.exit(1);
});
