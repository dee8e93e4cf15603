//! Sealing with the browser's WebCrypto (`crypto.subtle`): the platform's native,
//! constant-time ECDH (P-256, X25519) and AES-256-GCM, with nothing to download.
//!
//! Only the two primitives are done here: the ephemeral key agreement and the content
//! encryption. The checks, the payload, the protected header, the Concat KDF (SHA-256 in
//! Rust: one hop to WebCrypto less than `crypto.subtle.digest`) and the compact form are
//! the core's steps of [`Sealing`], the same ones ring's native `seal` takes.
//!
//! - The workspace key (a public JWK: the package reads no X.509) is read, and imported
//!   into a `CryptoKey`, once per key and reused (a few are kept); WebCrypto checks the
//!   point when importing it.
//! - The ephemeral private key is generated non-extractable; only its public key is
//!   exported, for the header's `epk`.
//! - The shared secret and the plaintext are wiped in the copies JavaScript holds as
//!   soon as WebCrypto has taken them; the content key is handed over as a view of the
//!   wasm memory, which Rust wipes.
//! - `crypto.subtle` exists only in secure contexts (https, localhost): elsewhere
//!   sealing fails with `insecure_context`, and there is no fallback.
//!
//! The WebCrypto calls are a few lines of JavaScript (below): one seal calls into
//! JavaScript twice (key agreement, encryption), and the algorithm dictionaries are
//! written where WebCrypto reads them. In Node (20.16 and later, `process.getBuiltinModule`), where
//! WebCrypto makes each step a thread-pool job, the same four steps call `node:crypto`
//! synchronously (OpenSSL under both; a Node `KeyObject` cannot be made
//! non-extractable, but the ephemeral key is never exported).

use std::cell::RefCell;

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use zeroize::Zeroizing;

use super::error::from_js;
use super::js::get as property;
use crate::envelope::{
    agreement_failed, compact, content_key, invalid_point, new_iv, Credentials, KeyType, Sealing,
    SessionBinding, WorkspaceCertificate, DEFAULT_TTL_SECS,
};
use crate::{Error, ErrorKind, Result};

#[wasm_bindgen(inline_js = r#"
// Node (20.16 and later) runs each WebCrypto step as a thread-pool job, which made a
// seal twice as slow as jose there; node:crypto does the same steps synchronously (it
// is OpenSSL under both). Browsers have no process.getBuiltinModule: WebCrypto.
const node = globalThis.process?.getBuiltinModule?.("node:crypto");
const run = (step) => new Promise((resolve) => resolve(step()));
const b64 = (bytes) => Buffer.from(bytes).toString("base64url");
const jwk = (p256, raw) => p256
  ? { kty: "EC", crv: "P-256", x: b64(raw.subarray(1, 33)), y: b64(raw.subarray(33)) }
  : { kty: "OKP", crv: "X25519", x: b64(raw) };
// A public key's raw point: the end of its SPKI DER, whose last field is the point. Not
// export({ format: "jwk" }): Node 20 can deadlock exporting a JWK of a key that
// generateKeyPairSync has just made, when a garbage collection runs meanwhile.
const point = (p256, key) => {
  const der = key.export({ type: "spki", format: "der" });
  return der.subarray(der.length - (p256 ? 65 : 32));
};
const ecdh = (p256) => (p256 ? { name: "ECDH", namedCurve: "P-256" } : { name: "X25519" });
export function importPublic(subtle, p256, bytes) {
  if (node) return run(() => node.createPublicKey({ format: "jwk", key: jwk(p256, bytes) }));
  return subtle.importKey("raw", bytes, ecdh(p256), false, []);
}
export function agreeEphemeral(subtle, p256, recipient) {
  if (node) {
    return run(() => {
      const pair = node.generateKeyPairSync(...(p256 ? ["ec", { namedCurve: "P-256" }] : ["x25519"]));
      return [
        point(p256, pair.publicKey),
        node.diffieHellman({ privateKey: pair.privateKey, publicKey: recipient }),
      ];
    });
  }
  const bytes = (buffer) => new Uint8Array(buffer);
  return subtle.generateKey(ecdh(p256), false, ["deriveBits"]).then((pair) => Promise.all([
    subtle.exportKey("raw", pair.publicKey).then(bytes),
    subtle.deriveBits({ name: ecdh(p256).name, public: recipient }, pair.privateKey, 256).then(bytes),
  ]));
}
export function aesGcm(subtle, cek, iv, aad, plaintext) {
  if (node) {
    return run(() => {
      const cipher = node.createCipheriv("aes-256-gcm", cek, iv).setAAD(aad);
      return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    });
  }
  // The arguments are views of the wasm memory: copied before the first await.
  const params = { name: "AES-GCM", iv: iv.slice(), additionalData: aad.slice() };
  const data = plaintext.slice();
  return subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt"]).then((key) => {
    const sealed = subtle.encrypt(params, key, data);
    data.fill(0);
    return sealed;
  }).then((buffer) => new Uint8Array(buffer), (err) => {
    data.fill(0);
    throw err;
  });
}
"#)]
extern "C" {
    /// `importKey("raw")` of a workspace key (P-256 when `p256`, else X25519).
    #[wasm_bindgen(js_name = importPublic)]
    fn import_public(subtle: &JsValue, p256: bool, raw: &[u8]) -> Promise;

    /// A non-extractable ephemeral key pair (`generateKey`), then its raw public key
    /// (`exportKey`) and the shared secret `Z` with `recipient` (`deriveBits`): `[epk,
    /// Z]`, both `Uint8Array`s.
    #[wasm_bindgen(js_name = agreeEphemeral)]
    fn agree_ephemeral(subtle: &JsValue, p256: bool, recipient: &JsValue) -> Promise;

    /// AES-256-GCM of `plaintext` under the raw key `cek` (imported at once: a view of
    /// the wasm memory is enough; the others are copied), as a `Uint8Array` of
    /// ciphertext and tag.
    #[wasm_bindgen(js_name = aesGcm)]
    fn aes_gcm(subtle: &JsValue, cek: &[u8], iv: &[u8], aad: &[u8], plaintext: &[u8]) -> Promise;
}

/// How many workspace keys are kept (a page seals to one workspace, rarely a few).
const CACHED_KEYS: usize = 4;

/// A workspace key as read and imported once.
struct Recipient {
    /// The key's JWK text, as given.
    text: String,
    certificate: WorkspaceCertificate,
    /// The public key as a WebCrypto `CryptoKey`.
    key: JsValue,
}

thread_local! {
    static RECIPIENTS: RefCell<Vec<Recipient>> = const { RefCell::new(Vec::new()) };
}

/// A seal under way: the workspace key read and imported, and the
/// ephemeral key agreement asked of WebCrypto while the caller reads the rest of its
/// inputs and the payload is written.
pub(crate) struct Sealer {
    subtle: JsValue,
    certificate: WorkspaceCertificate,
    agreement: JsFuture,
}

impl Sealer {
    /// Reads the workspace key `jwk` (a public JWK, JSON text; kept after the first
    /// time) and starts the ephemeral key agreement.
    ///
    /// # Errors
    /// `insecure_context` outside a secure context; those of
    /// [`WorkspaceCertificate::parse_jwk`]; `certificate_invalid` for a key WebCrypto
    /// refuses; `unsupported_key` where the browser's WebCrypto lacks the curve (X25519
    /// before Chromium 133, Firefox 130, Safari 17).
    pub(crate) async fn start(jwk: &str) -> Result<Sealer> {
        let subtle = subtle()?;
        let (certificate, recipient_key) = recipient(&subtle, jwk).await?;
        let agreement =
            agree_ephemeral(&subtle, is_p256(certificate.key_type()), &recipient_key).into();
        Ok(Sealer {
            subtle,
            certificate,
            agreement,
        })
    }

    /// Seals `credentials` bound to one connect session, valid for
    /// [`DEFAULT_TTL_SECS`] from `now`: the browser build's `seal`.
    ///
    /// # Errors
    /// Those of the core's checks ([`Sealing::new`]); `unsupported_key` as for
    /// [`start`](Self::start); `certificate_invalid` when the key agreement fails.
    pub(crate) async fn seal(
        self,
        binding: &SessionBinding,
        credentials: &Credentials,
        now: i64,
    ) -> Result<String> {
        let Sealer {
            subtle,
            certificate,
            agreement,
        } = self;
        let sealing = Sealing::new(&certificate, binding, credentials, now, DEFAULT_TTL_SECS)?;
        let curve = certificate.key_type();
        let agreed = agreement
            .await
            .map_err(|e| unsupported_or(curve, &e, agreement_failed()))?;
        let agreed: Array = agreed.unchecked_into();
        let epk = Uint8Array::from(agreed.get(0)).to_vec();
        let z = Uint8Array::from(agreed.get(1));
        let cek = content_key(&Zeroizing::new(z.to_vec()));
        wipe(&z);
        let header_b64 = sealing.protected_header(&epk)?;

        let iv = new_iv();
        let sealed = aes_gcm(
            &subtle,
            &cek,
            &iv,
            header_b64.as_bytes(),
            &sealing.plaintext,
        );
        let sealed = JsFuture::from(sealed).await.map_err(|e| {
            from_js(
                &e,
                ErrorKind::Crypto,
                "crypto",
                "AES-256-GCM encryption failed",
            )
        })?;
        compact(&header_b64, &iv, &Uint8Array::from(sealed).to_vec())
    }
}

/// `globalThis.crypto.subtle`, or why there is none.
fn subtle() -> Result<JsValue> {
    let global = js_sys::global();
    let subtle = property(&property(&global, "crypto"), "subtle");
    if subtle.is_object() {
        return Ok(subtle);
    }
    if property(&global, "isSecureContext") == JsValue::FALSE {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "insecure_context",
            "credentials are encrypted with WebCrypto (crypto.subtle), which browsers offer \
             only in secure contexts: serve this page over https (or from localhost)",
        ));
    }
    Err(Error::new(
        ErrorKind::Unsupported,
        "webcrypto_unavailable",
        "this environment has no WebCrypto (crypto.subtle) to encrypt the credentials with",
    ))
}

/// The workspace key `text` (a public JWK) read, and imported as a `CryptoKey`: both
/// done on first use and kept.
async fn recipient(subtle: &JsValue, text: &str) -> Result<(WorkspaceCertificate, JsValue)> {
    let cached = RECIPIENTS.with_borrow(|recipients| {
        recipients
            .iter()
            .find(|recipient| recipient.text == text)
            .map(|recipient| (recipient.certificate.clone(), recipient.key.clone()))
    });
    if let Some(found) = cached {
        return Ok(found);
    }
    let certificate = WorkspaceCertificate::parse_jwk(text)?;
    let curve = certificate.key_type();
    let import = import_public(subtle, is_p256(curve), certificate.public_key().as_bytes());
    let key = JsFuture::from(import)
        .await
        .map_err(|e| unsupported_or(curve, &e, invalid_point(curve)))?;
    RECIPIENTS.with_borrow_mut(|recipients| {
        if recipients.len() == CACHED_KEYS {
            recipients.remove(0);
        }
        recipients.push(Recipient {
            text: text.to_owned(),
            certificate: certificate.clone(),
            key: key.clone(),
        });
    });
    Ok((certificate, key))
}

fn is_p256(curve: KeyType) -> bool {
    curve == KeyType::P256
}

/// Overwrites JavaScript's copy of a secret with zeros.
fn wipe(bytes: &Uint8Array) {
    bytes.fill(0, 0, bytes.length());
}

/// Whether WebCrypto refused with a `NotSupportedError` (an algorithm it lacks).
fn is_not_supported(value: &JsValue) -> bool {
    property(value, "name").as_string().as_deref() == Some("NotSupportedError")
}

fn unsupported(curve: KeyType) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        "unsupported_key",
        format!(
            "this browser's WebCrypto has no {} key agreement (X25519 needs Chromium 133, \
             Firefox 130 or Safari 17 and later); use a P-256 workspace certificate",
            curve.curve_name()
        ),
    )
}

/// `unsupported_key` when WebCrypto lacks the curve (it refused with a
/// `NotSupportedError`), else `otherwise`.
fn unsupported_or(curve: KeyType, value: &JsValue, otherwise: Error) -> Error {
    if is_not_supported(value) {
        unsupported(curve)
    } else {
        otherwise
    }
}
