// The package (wasm in Node) reads answers of a newer API: an auth type, a field kind and
// a connection status it does not know arrive as the strings sent, and members it does
// not know are ignored, instead of failing the session or the connection.
// Needs: scripts/build-pkg (pkg/web). Run: node --test js-tests/
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "pkg", "web");
assert.ok(existsSync(join(web, "munity_connect.js")), "run scripts/build-pkg first");
const pkg = await import(pathToFileURL(join(web, "munity_connect.js")));
pkg.initSync({ module: readFileSync(join(web, "munity_connect_bg.wasm")) });

// The workspace key the session hands out: the certificate (which the package does not
// read) and its key as a JWK, here with a member the package does not know (`use`).
const { publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const certificate = publicKey.export({ type: "spki", format: "pem" });
const jwk = { ...publicKey.export({ format: "jwk" }), use: "enc" };

// A session and a connection as a newer API answers them.
const session = {
  workspace: "f87cc67d-b594-4407-a90d-b26cfdae8f14",
  customer: { id: null, external_id: "product-user-1", tier: "gold" },
  connector: {
    name: "okta", display_name: "Okta", categories: ["identity"], auth_type: "saml",
    logo_url: "https://example.test/okta.svg",
    fields: [
      { name: "code", label: "One-time code", kind: "otp", required: true, secret: true, placeholder: "123456" },
      { name: "tenant", label: "Tenant", kind: "text", required: true, secret: false },
    ],
  },
  expires_at: "2030-01-01T00:00:00Z",
  nonce: Buffer.alloc(16, 3).toString("base64url"),
  certificate,
  kid: "k1",
  jwk,
  region: "eu",
};
const connection = {
  id: "2f1c7a8e-4b7d-4c1e-9a55-0d8f3c2b1a90", customer_id: "5b0f9c1e-2d3a-4e5f-8a7b-6c5d4e3f2a1b",
  connector: "okta", status: "pending_review", created_at: "2026-12-05T08:00:00Z", review_url: "https://x",
};

const server = createServer((req, res) => {
  const path = req.url.split("?")[0];
  const body = path.endsWith("/connect/session") ? session
    : path.endsWith("/connect/credentials") && req.method === "POST" ? connection
    : null;
  req.resume();
  req.on("end", () => {
    res.writeHead(body ? (req.method === "POST" ? 201 : 200) : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body ?? { code: "not_found", detail: "no such route" }));
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
test.after(() => server.close());
const apiBase = `http://127.0.0.1:${server.address().port}/v1`;

// A well-formed, unexpired link: the browser checks its form, not its signature.
const exp = Math.floor(Date.now() / 1000) + 600;
const link = `${apiBase}/connect?v=1&workspace=${session.workspace}&customer=product-user-1&connector=okta&key=REM0aW39&exp=${exp}&nonce=${session.nonce}&sig=${Buffer.alloc(32, 9).toString("base64url")}`;

test("describe keeps an unknown auth type and field kind and ignores unknown members", async () => {
  const described = await new pkg.MunityConnect({ apiBase }).describe(link);
  assert.equal(described.authType, "saml");
  assert.deepEqual(described.fields.map((f) => [f.name, f.kind]), [["code", "otp"], ["tenant", "text"]]);
  assert.equal(described.customer, "product-user-1");
  assert.equal(described.logo_url, undefined);
  assert.equal(described.region, undefined);
});

test("submit resolves with a connection whose status is unknown", async () => {
  const connected = await new pkg.MunityConnect({ apiBase }).submit(link, { code: "123456", tenant: "acme" });
  assert.equal(connected.id, connection.id);
  assert.equal(connected.status, "pending_review");
  assert.equal(connected.review_url, undefined);
});
