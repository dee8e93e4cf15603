//! Sealing with the browser's WebCrypto (`crypto.subtle`): the platform's native,
//! constant-time ECDH (P-256, X25519) and AES-256-GCM, with nothing to download.
//!
//! Only the two primitives are done here: the ephemeral key agreement and the content
//! encryption. The checks, the payload, the protected header, the Concat KDF (SHA-256 in
//! Rust: one hop to WebCrypto less than `crypto.subtle.digest`) and the compact form are
//! the core's steps of [`Sealing`], the same ones ring's native `seal` takes.
//!
//! - The workspace certificate is read, and its key imported into a `CryptoKey`, once
//!   per certificate and reused (a few are kept); WebCrypto checks the point when
//!   importing it.
//! - The ephemeral private key is generated non-extractable; only its public key is
//!   exported, for the header's `epk`.
//! - The shared secret, the content key and the plaintext are wiped in the copies
//!   JavaScript got as soon as WebCrypto has taken them.
//! - `crypto.subtle` exists only in secure contexts (https, localhost): elsewhere
//!   sealing fails with `insecure_context`, and there is no fallback.

use std::cell::RefCell;

use js_sys::{Array, ArrayBuffer, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use zeroize::Zeroizing;

use super::error::from_js;
use crate::envelope::{
    agreement_failed, compact, content_key, invalid_point, new_iv, Credentials, KeyType,
    SessionBinding, Sealing, WorkspaceCertificate, DEFAULT_TTL_SECS,
};
use crate::{Error, ErrorKind, Result};

#[wasm_bindgen]
extern "C" {
    /// The `SubtleCrypto` of `globalThis.crypto.subtle`.
    type Subtle;

    #[wasm_bindgen(method, catch, js_name = generateKey)]
    fn generate_key(
        this: &Subtle,
        algorithm: &Object,
        extractable: bool,
        usages: &Array,
    ) -> std::result::Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = importKey)]
    fn import_key(
        this: &Subtle,
        format: &str,
        data: &Uint8Array,
        algorithm: &Object,
        extractable: bool,
        usages: &Array,
    ) -> std::result::Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = exportKey)]
    fn export_key(this: &Subtle, format: &str, key: &JsValue)
        -> std::result::Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch, js_name = deriveBits)]
    fn derive_bits(
        this: &Subtle,
        algorithm: &Object,
        key: &JsValue,
        length: u32,
    ) -> std::result::Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn encrypt(
        this: &Subtle,
        algorithm: &Object,
        key: &JsValue,
        data: &Uint8Array,
    ) -> std::result::Result<Promise, JsValue>;
}

/// How many workspace certificates are kept (a page seals to one workspace, rarely a
/// few).
const CACHED_KEYS: usize = 4;

/// A workspace certificate as read and imported once.
struct Recipient {
    /// The certificate's text, as given.
    text: String,
    certificate: WorkspaceCertificate,
    /// The public key as a WebCrypto `CryptoKey`.
    key: JsValue,
}

thread_local! {
    static RECIPIENTS: RefCell<Vec<Recipient>> = const { RefCell::new(Vec::new()) };
}

/// Seals `credentials` for the workspace certificate `certificate` (PEM, SPKI or JWK),
/// bound to one connect session, valid for [`DEFAULT_TTL_SECS`] from `now`: the browser
/// build's `seal`.
///
/// # Errors
/// Those of [`WorkspaceCertificate::parse`] and the core's checks; `insecure_context`
/// outside a secure context; `unsupported_key` where the browser's WebCrypto lacks the
/// curve (X25519 before Chromium 133, Firefox 130, Safari 17); `certificate_invalid` for
/// a key WebCrypto refuses.
pub(crate) async fn seal(
    certificate: &str,
    binding: &SessionBinding,
    credentials: &Credentials,
    now: i64,
) -> Result<String> {
    let subtle = subtle()?;
    let (certificate, recipient_key) = recipient(&subtle, certificate, now).await?;
    let sealing = Sealing::new(&certificate, binding, credentials, now, DEFAULT_TTL_SECS)?;
    let curve = certificate.key_type();

    let pair = subtle
        .generate_key(&algorithm(curve), false, &usages("deriveBits"))
        .map_err(|e| unsupported_or(curve, &e))?;
    let pair = JsFuture::from(pair)
        .await
        .map_err(|e| unsupported_or(curve, &e))?;
    let private_key = property(&pair, "privateKey");
    let public_key = property(&pair, "publicKey");

    // The public key's export and the key agreement run side by side.
    let exported = subtle
        .export_key("raw", &public_key)
        .map_err(|e| crypto(&e, "exporting the ephemeral key failed"))?;
    let agreement = params(ecdh_name(curve), &[("public", &recipient_key)]);
    let derived = subtle
        .derive_bits(&agreement, &private_key, 256)
        .map_err(|_| agreement_failed())?;
    let epk = bytes_of(
        &JsFuture::from(exported)
            .await
            .map_err(|e| crypto(&e, "exporting the ephemeral key failed"))?,
    );
    let header_b64 = sealing.protected_header(&epk)?;
    let z = JsFuture::from(derived)
        .await
        .map_err(|_| agreement_failed())?;
    let cek = content_key(&take_secret(&z));

    let aes = params("AES-GCM", &[]);
    let cek_js = Uint8Array::from(&cek[..]);
    let imported = subtle.import_key("raw", &cek_js, &aes, false, &usages("encrypt"));
    wipe(&cek_js);
    let aes_key = JsFuture::from(imported.map_err(|e| crypto(&e, "importing the AES key failed"))?)
        .await
        .map_err(|e| crypto(&e, "importing the AES key failed"))?;

    let iv = new_iv();
    let aes_gcm = params(
        "AES-GCM",
        &[
            ("iv", &Uint8Array::from(&iv[..])),
            ("additionalData", &Uint8Array::from(header_b64.as_bytes())),
        ],
    );
    let plaintext = Uint8Array::from(&sealing.plaintext[..]);
    let sealed = subtle.encrypt(&aes_gcm, &aes_key, &plaintext);
    wipe(&plaintext);
    let sealed = JsFuture::from(sealed.map_err(|e| crypto(&e, "AES-256-GCM encryption failed"))?)
        .await
        .map_err(|e| crypto(&e, "AES-256-GCM encryption failed"))?;
    compact(&header_b64, &iv, &bytes_of(&sealed))
}

/// `globalThis.crypto.subtle`, or why there is none.
fn subtle() -> Result<Subtle> {
    let global = js_sys::global();
    let subtle = property(&property(&global, "crypto"), "subtle");
    if subtle.is_object() {
        return Ok(subtle.unchecked_into());
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

/// The workspace certificate `text` parsed, and its key as a `CryptoKey`: both done on
/// first use and kept. Its validity period is checked at every seal (by [`Sealing`]).
async fn recipient(
    subtle: &Subtle,
    text: &str,
    now: i64,
) -> Result<(WorkspaceCertificate, JsValue)> {
    let cached = RECIPIENTS.with_borrow(|recipients| {
        recipients
            .iter()
            .find(|recipient| recipient.text == text)
            .map(|recipient| (recipient.certificate.clone(), recipient.key.clone()))
    });
    if let Some(found) = cached {
        return Ok(found);
    }
    let certificate = WorkspaceCertificate::parse(text, now)?;
    let curve = certificate.key_type();
    let refused = |e: &JsValue| {
        if is_not_supported(e) {
            unsupported(curve)
        } else {
            invalid_point(curve)
        }
    };
    let raw = Uint8Array::from(certificate.public_key().as_bytes());
    let import = subtle
        .import_key("raw", &raw, &algorithm(curve), false, &Array::new())
        .map_err(|e| refused(&e))?;
    let key = JsFuture::from(import).await.map_err(|e| refused(&e))?;
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

/// The WebCrypto algorithm name of key agreement on `curve`.
fn ecdh_name(curve: KeyType) -> &'static str {
    match curve {
        KeyType::P256 => "ECDH",
        KeyType::X25519 => "X25519",
    }
}

/// The WebCrypto algorithm of keys on `curve`: `{name: "ECDH", namedCurve: "P-256"}` or
/// `{name: "X25519"}`.
fn algorithm(curve: KeyType) -> Object {
    match curve {
        KeyType::P256 => params(
            ecdh_name(curve),
            &[("namedCurve", &JsValue::from_str(curve.curve_name()))],
        ),
        KeyType::X25519 => params(ecdh_name(curve), &[]),
    }
}

/// `{name, ...members}`.
fn params(name: &str, members: &[(&str, &JsValue)]) -> Object {
    let object = Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(&object, &JsValue::from_str("name"), &JsValue::from_str(name));
    for (key, value) in members {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

fn usages(usage: &str) -> Array {
    Array::of1(&JsValue::from_str(usage))
}

/// `target[key]`, or `undefined` when `target` is not an object.
fn property(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// The bytes of an `ArrayBuffer` WebCrypto resolved with.
fn bytes_of(buffer: &JsValue) -> Vec<u8> {
    Uint8Array::new(buffer).to_vec()
}

/// The bytes of a secret `ArrayBuffer`, which is wiped once copied.
fn take_secret(buffer: &JsValue) -> Zeroizing<Vec<u8>> {
    let view = Uint8Array::new(buffer.unchecked_ref::<ArrayBuffer>());
    let secret = Zeroizing::new(view.to_vec());
    wipe(&view);
    secret
}

/// Overwrites JavaScript's copy of a secret with zeros (WebCrypto copies its inputs when
/// called, so this is safe as soon as the call returned).
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

/// `unsupported_key` when WebCrypto lacks the curve, else a crypto error.
fn unsupported_or(curve: KeyType, value: &JsValue) -> Error {
    if is_not_supported(value) {
        unsupported(curve)
    } else {
        crypto(value, "generating the ephemeral key failed")
    }
}

fn crypto(value: &JsValue, context: &str) -> Error {
    from_js(value, ErrorKind::Crypto, "crypto", context)
}
