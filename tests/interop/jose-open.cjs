// Opens a compact JWE with npm jose.
// stdin: {"jwe": "...", "jwk": {private JWK}}
// stdout: {"protectedHeader": {...}, "plaintext": "..."}
'use strict';
const jose = require('./jose.cjs');
const readStdinJson = require('./read-stdin.cjs');

(async () => {
  const { jwe, jwk } = await readStdinJson();
  const key = await jose.importJWK(jwk, 'ECDH-ES');
  const { plaintext, protectedHeader } = await jose.compactDecrypt(jwe, key, {
    keyManagementAlgorithms: ['ECDH-ES'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  process.stdout.write(JSON.stringify({
    protectedHeader,
    plaintext: new TextDecoder().decode(plaintext),
  }));
})().catch((err) => {
  console.error(`jose-open: ${err.code || ''} ${err.message}`);
  process.exit(1);
});
