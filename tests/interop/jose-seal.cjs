// Seals a plaintext with npm jose's CompactEncrypt.
// stdin: {"jwk": {public JWK}, "kid": "...", "plaintext": "...",
//         "alg"?: "ECDH-ES", "enc"?: "A256GCM", "apu"?: "base64url", "apv"?: "base64url"}
// stdout: the compact JWE
'use strict';
const jose = require('./jose.cjs');
const readStdinJson = require('./read-stdin.cjs');

(async () => {
  const input = await readStdinJson();
  const alg = input.alg || 'ECDH-ES';
  const enc = input.enc || 'A256GCM';
  const key = await jose.importJWK(input.jwk, alg);
  const jwe = new jose.CompactEncrypt(new TextEncoder().encode(input.plaintext))
    .setProtectedHeader({ alg, enc, kid: input.kid });
  if (input.apu || input.apv) {
    jwe.setKeyManagementParameters({
      apu: input.apu ? jose.base64url.decode(input.apu) : undefined,
      apv: input.apv ? jose.base64url.decode(input.apv) : undefined,
    });
  }
  process.stdout.write(await jwe.encrypt(key));
})().catch((err) => {
  console.error(`jose-seal: ${err.code || ''} ${err.message}`);
  process.exit(1);
});
