//! The JavaScript bindings, tested as JavaScript sees them, in Node and in headless
//! Chromium (`scripts/test-wasm`; `WASM_BINDGEN_USE_BROWSER=1` for the browser).
//!
//! Nothing here talks to a mock: the network cases use a closed port on 127.0.0.1
//! (a real failed `fetch`).
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use base64::Engine as _;
use js_sys::{Array, Function, Object, Promise, Reflect};
use munity::link::LinkBuilder;
use munity::{
    encrypt_credentials, parse_link, ApiKey, Error, ErrorKind, FieldError, MunityConnect,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

/// An X25519 public JWK (RFC 8037 Appendix A.6, Bob's key).
const JWK: &str =
    r#"{"kty":"OKP","crv":"X25519","x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#;
/// Nothing listens here: `fetch` fails with a network error.
const CLOSED: &str = "http://127.0.0.1:9/v1/connect";
/// The API base of [`CLOSED`]'s links.
const CLOSED_API: &str = "http://127.0.0.1:9/v1";

/// A `MunityConnect` pinned to the closed API (`apiBase`).
fn closed_connect() -> MunityConnect {
    MunityConnect::new(object(&[("apiBase", CLOSED_API.into())])).expect("new")
}

fn now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

fn link_at(base: &str, signed_at: i64) -> String {
    let key = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").expect("a valid test key");
    LinkBuilder::new("ws_1", "cus_42", "jira")
        .base_url(base)
        .ttl(Duration::from_secs(600))
        .scope("read write")
        .sign(&key, signed_at)
        .expect("the test link signs")
        .into_url()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).expect("an object")
}

fn string(value: &JsValue, key: &str) -> String {
    get(value, key)
        .as_string()
        .unwrap_or_else(|| panic!("`{key}` is not a string"))
}

/// Asserts `err` is a MunityError with `code`.
fn assert_munity_error(err: &JsValue, code: &str) {
    assert!(err.is_instance_of::<js_sys::Error>(), "a real Error");
    assert_eq!(string(err, "name"), "MunityError");
    assert_eq!(
        string(err, "code"),
        code,
        "code (message: {})",
        string(err, "message")
    );
    assert!(Array::is_array(&get(err, "fields")), "fields is an array");
}

async fn rejection(promise: Promise) -> JsValue {
    match JsFuture::from(promise).await {
        Ok(value) => panic!("expected a rejection, got {value:?}"),
        Err(err) => err,
    }
}

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in pairs {
        Reflect::set(&object, &JsValue::from_str(name), value).expect("set");
    }
    object.into()
}

fn header_of(jwe: &str) -> serde_json::Value {
    let first = jwe.split('.').next().unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(first)
        .expect("base64url header");
    serde_json::from_slice(&bytes).expect("JSON header")
}

#[wasm_bindgen_test]
fn parse_link_reads_every_field() {
    let link = link_at("https://api.munityapps.com/v1/connect", 1_700_000_000);
    let info = parse_link(&link).expect("parses");
    assert_eq!(string(&info, "workspace"), "ws_1");
    assert_eq!(string(&info, "customer"), "cus_42");
    assert_eq!(string(&info, "connector"), "jira");
    assert_eq!(string(&info, "expiresAt"), "2023-11-14T22:23:20Z");
    assert_eq!(string(&info, "scope"), "read write");
    assert!(get(&info, "redirectUri").is_undefined());
}

#[wasm_bindgen_test]
fn parse_link_refuses_malformed_links_with_link_invalid() {
    for bad in [
        "",
        "https://x.test/connect",
        "https://x.test/connect?v=1",
        "https://x.test/connect?v=2&workspace=a",
    ] {
        let err = parse_link(bad).map(|_| ()).expect_err(bad);
        assert_munity_error(&err.into(), "link_invalid");
    }
    let good = link_at(CLOSED, now());
    let tampered = good.replace("customer=cus_42", "customer=cus_42&customer=cus_43");
    let err = parse_link(&tampered).map(|_| ()).expect_err("duplicate");
    assert_munity_error(&err.into(), "link_invalid");
}

/// A P-256 public JWK (RFC 7518 Appendix C, Bob's key).
const P256_JWK: &str = r#"{"kty":"EC","crv":"P-256","x":"weNJy2HscCSM6AEDTDg04biOvhFhyyWvOHQfeF_PxMQ","y":"e8lnCO-AlStT-NJVX-crhB7QRYhiix03illJOVAOyck"}"#;

/// `encryptCredentials` awaited: the envelope, or the rejection.
async fn encrypt(certificate: &str, link: &str, credentials: JsValue) -> Result<String, JsValue> {
    let promise = encrypt_credentials(certificate.to_owned(), link.to_owned(), credentials);
    JsFuture::from(promise)
        .await
        .map(|jwe| jwe.as_string().expect("a string"))
}

#[wasm_bindgen_test]
async fn encrypt_credentials_makes_an_ecdh_es_a256gcm_jwe_for_the_certificate() {
    let link = link_at(CLOSED, now());
    for (certificate, curve) in [(JWK, "X25519"), (P256_JWK, "P-256")] {
        let jwe = encrypt(certificate, &link, object(&[("api_key", "s3cr3t".into())]))
            .await
            .expect("seals");
        let parts: Vec<&str> = jwe.split('.').collect();
        assert_eq!(parts.len(), 5, "compact JWE");
        assert_eq!(parts[1], "", "ECDH-ES direct: no encrypted key");
        assert_eq!(parts[2].len(), 16, "a 96-bit IV");
        assert_eq!(parts[4].len(), 22, "a 128-bit tag");
        assert!(!jwe.contains("s3cr3t"), "the secret is not in clear");
        let header = header_of(&jwe);
        assert_eq!(header["alg"], "ECDH-ES");
        assert_eq!(header["enc"], "A256GCM");
        assert!(
            header["kid"].as_str().is_some_and(|kid| !kid.is_empty()),
            "kid"
        );
        assert_eq!(header["epk"]["crv"], curve);
        let again = encrypt(certificate, &link, object(&[("api_key", "s3cr3t".into())]))
            .await
            .expect("seals");
        assert_ne!(
            again.split('.').nth(2),
            Some(parts[2]),
            "a fresh random IV for each envelope (crypto.getRandomValues)"
        );
        assert_ne!(parts[2], "AAAAAAAAAAAAAAAA", "the IV is not zeros");
    }
}

/// Runs `source` (a function body) in JavaScript.
fn run_js(source: &str) -> JsValue {
    Function::new_no_args(source)
        .call0(&JsValue::NULL)
        .expect("the script runs")
}

#[wasm_bindgen_test]
async fn the_workspace_key_is_imported_once_and_ephemeral_keys_are_not_extractable() {
    // Wraps what the package calls to watch it: crypto.subtle's importKey and generateKey
    // in browsers; in Node (which seals with node:crypto) createPublicKey,
    // generateKeyPairSync and createCipheriv.
    run_js(
        "const seen = globalThis.__munitySeen = { imports: [], pairs: [] };
         const node = globalThis.process?.getBuiltinModule?.('node:crypto');
         const target = node || globalThis.crypto.subtle;
         const names = node
           ? ['createPublicKey', 'generateKeyPairSync', 'createCipheriv']
           : ['importKey', 'generateKey'];
         const originals = names.map((name) => target[name]);
         const watch = (i, record) => {
           target[names[i]] = function (...args) {
             const result = originals[i].apply(this, args);
             record(args, result);
             return result;
           };
         };
         if (node) {
           watch(0, () => seen.imports.push('X25519'));
           watch(1, (args, pair) => seen.pairs.push(pair));
           watch(2, () => seen.imports.push('AES-GCM'));
         } else {
           watch(0, ([, , algorithm]) =>
             seen.imports.push(typeof algorithm === 'string' ? algorithm : algorithm.name));
           watch(1, (args, pair) => pair.then((pair) => seen.pairs.push(pair)));
         }
         seen.node = Boolean(node);
         globalThis.__munityRestore = () => names.forEach((name, i) => { target[name] = originals[i]; });",
    );
    let link = link_at(CLOSED, now());
    // A key no other test uses, so the cache starts without it.
    let fresh = r#"{"kty":"OKP","crv":"X25519","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}"#;
    for _ in 0..3 {
        encrypt(fresh, &link, object(&[("api_key", "k".into())]))
            .await
            .expect("seals");
    }
    let seen = run_js("globalThis.__munityRestore(); return globalThis.__munitySeen;");
    let imports: Vec<String> = Array::from(&get(&seen, "imports"))
        .iter()
        .map(|name| name.as_string().expect("a name"))
        .collect();
    assert_eq!(
        imports.iter().filter(|name| *name == "X25519").count(),
        1,
        "the workspace key is imported once for three seals: {imports:?}"
    );
    assert_eq!(
        imports.iter().filter(|name| *name == "AES-GCM").count(),
        3,
        "one content key per envelope"
    );
    let pairs = Array::from(&get(&seen, "pairs"));
    assert_eq!(pairs.length(), 3, "one ephemeral key per envelope");
    if get(&seen, "node") == JsValue::FALSE {
        for pair in pairs.iter() {
            assert_eq!(
                get(&get(&pair, "privateKey"), "extractable"),
                JsValue::FALSE,
                "the ephemeral private key is not extractable"
            );
        }
    }
}

#[wasm_bindgen_test]
async fn without_webcrypto_nothing_is_sealed() {
    // What a page outside a secure context sees, short of the context itself (the
    // `insecure_context` case runs in a real insecure page: js-tests/browser-seal.test.mjs):
    // no crypto.subtle. This page is a secure context (or Node), so the code says
    // WebCrypto is missing rather than the context insecure.
    run_js("Object.defineProperty(globalThis.crypto, 'subtle', { value: undefined, configurable: true });");
    let result = encrypt(
        JWK,
        &link_at(CLOSED, now()),
        object(&[("api_key", "k".into())]),
    )
    .await;
    run_js("delete globalThis.crypto.subtle;");
    let err = result.expect_err("no envelope without WebCrypto");
    assert_munity_error(&err, "webcrypto_unavailable");
    assert!(string(&err, "message").contains("crypto.subtle"));
}

#[wasm_bindgen_test]
async fn encrypt_credentials_error_codes() {
    let good = link_at(CLOSED, now());
    let creds = || object(&[("api_key", "k".into())]);
    let rejected = |result: Result<String, JsValue>| result.expect_err("an error");
    let expired = link_at(CLOSED, now() - 3600);
    assert_munity_error(
        &rejected(encrypt(JWK, &expired, creds()).await),
        "link_expired",
    );
    assert_munity_error(
        &rejected(encrypt(JWK, "nonsense", creds()).await),
        "link_invalid",
    );
    let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----";
    assert_munity_error(
        &rejected(encrypt(pem, &good, creds()).await),
        "certificate_invalid",
    );
    // The package takes the key as a JWK: even a valid certificate is refused, saying
    // where its JWK is.
    let valid = include_str!("corpus/envelope/p256-cert-2054.pem");
    let err = rejected(encrypt(valid, &good, creds()).await);
    assert_munity_error(&err, "certificate_invalid");
    assert!(string(&err, "message").contains("`jwk`"));
    // A point off the curve (Bob's x with y - 1): WebCrypto's import refuses it, with the
    // code and message the native point check gives.
    let off_curve = P256_JWK.replace("VAOyck", "VAOycg");
    assert_ne!(off_curve, P256_JWK);
    let err = rejected(encrypt(&off_curve, &good, creds()).await);
    assert_munity_error(&err, "certificate_invalid");
    assert_eq!(
        string(&err, "message"),
        "the P-256 public key is not a valid point on its curve"
    );
    let err = rejected(encrypt(JWK, &good, object(&[("api_key", JsValue::from(7))])).await);
    assert_munity_error(&err, "validation");
    let fields = Array::from(&get(&err, "fields"));
    assert_eq!(fields.length(), 1);
    assert_eq!(string(&fields.get(0), "field"), "api_key");
    assert!(
        !string(&err, "message").contains('7'),
        "values are never quoted"
    );
}

#[wasm_bindgen_test]
fn errors_become_munity_errors_with_fields_and_status() {
    let err: JsValue = Error::api(400, "validation", "bad credentials")
        .with_fields(vec![FieldError::new("password", "is required")])
        .into();
    assert_munity_error(&err, "validation");
    assert_eq!(string(&err, "message"), "bad credentials");
    assert_eq!(get(&err, "status").as_f64(), Some(400.0));
    let field = Array::from(&get(&err, "fields")).get(0);
    assert_eq!(string(&field, "field"), "password");
    assert_eq!(string(&field, "message"), "is required");
    let plain: JsValue = Error::new(ErrorKind::Network, "network", "down").into();
    assert!(get(&plain, "status").is_undefined());
}

#[wasm_bindgen_test]
fn constructor_checks_its_options() {
    assert!(MunityConnect::new(JsValue::UNDEFINED).is_ok());
    let options = object(&[("certificate", JWK.into()), ("apiBase", CLOSED_API.into())]);
    assert!(MunityConnect::new(options).is_ok());
    let bad = object(&[("certificate", JsValue::from(5))]);
    let err = JsValue::from(MunityConnect::new(bad).expect_err("a number"));
    assert_munity_error(&err, "invalid_option");
}

#[wasm_bindgen_test]
fn the_api_base_is_https_or_loopback_http_and_the_certificate_pin_is_checked() {
    for good in [
        "https://api.munityapps.com/v1",
        "https://api.example.com:8443/v1/",
        "http://127.0.0.1:8787/v1",
        "http://localhost:8787/v1",
        "http://[::1]:8787/v1",
    ] {
        let options = object(&[("apiBase", good.into())]);
        assert!(MunityConnect::new(options).is_ok(), "{good}");
    }
    for bad in [
        "http://api.example.com/v1",
        "https://*.example.com/v1",
        "ftp://api.example.com/v1",
        "/v1",
        "https://api.example.com/v1?x=1",
        "https://user@api.example.com/v1",
    ] {
        let options = object(&[("apiBase", bad.into())]);
        let err = JsValue::from(MunityConnect::new(options).expect_err(bad));
        assert_munity_error(&err, "invalid_option");
    }
    // A key id pins the session's certificate; the certificate itself is sealed to; both
    // may be given. A key id has a key id's length.
    let kid = munity::envelope::WorkspaceCertificate::parse(JWK, now())
        .expect("the JWK parses")
        .kid()
        .to_owned();
    assert!(MunityConnect::new(object(&[("certificateKid", kid.as_str().into())])).is_ok());
    assert!(MunityConnect::new(object(&[("certificate", JWK.into())])).is_ok());
    let both = object(&[
        ("certificate", JWK.into()),
        ("certificateKid", kid.as_str().into()),
    ]);
    assert!(MunityConnect::new(both).is_ok());
    let too_short = object(&[("certificateKid", "short".into())]);
    let too_long = object(&[("certificateKid", format!("{kid}A").into())]);
    for bad in [too_short, too_long] {
        let err = JsValue::from(MunityConnect::new(bad).expect_err("refused"));
        assert_munity_error(&err, "invalid_option");
    }
}

/// Replaces the global `fetch` with one that records each URL and fails, and returns
/// the list of URLs and the original `fetch` (restore it with [`restore_fetch`]).
fn record_fetch() -> (Array, JsValue) {
    let global = js_sys::global();
    let original = get(&global, "fetch");
    let urls = Array::new();
    let recorder = Function::new_with_args(
        "urls",
        "return (url) => { urls.push(String(url)); return Promise.reject(new TypeError('recorded')); };",
    )
    .call1(&JsValue::NULL, &urls)
    .expect("recorder");
    Reflect::set(&global, &"fetch".into(), &recorder).expect("set fetch");
    (urls, original)
}

fn restore_fetch(original: &JsValue) {
    Reflect::set(&js_sys::global(), &"fetch".into(), original).expect("restore fetch");
}

#[wasm_bindgen_test]
async fn a_link_on_another_host_than_the_pinned_api_is_refused_with_no_request() {
    let (urls, original) = record_fetch();
    let creds = object(&[("api_key", "k".into())]);
    // The default pin is the production API; the attacker's host with a genuine query;
    // the right host on another port or scheme.
    let pinned_default = MunityConnect::new(JsValue::UNDEFINED).expect("new");
    let pinned_closed = closed_connect();
    let cases = [
        (&pinned_default, link_at(CLOSED, now())),
        (
            &pinned_default,
            link_at("https://attacker.example/v1/connect", now()),
        ),
        (
            &pinned_closed,
            link_at("https://attacker.example/v1/connect", now()),
        ),
        (
            &pinned_closed,
            link_at("http://127.0.0.1:10/v1/connect", now()),
        ),
        (
            &pinned_closed,
            link_at("http://localhost:9/v1/connect", now()),
        ),
    ];
    let mut errors = Vec::new();
    for (connect, link) in &cases {
        errors.push(rejection(connect.describe(link.as_str().into())).await);
        errors.push(rejection(connect.submit(link.as_str().into(), creds.clone())).await);
    }
    restore_fetch(&original);
    for err in &errors {
        assert_munity_error(err, "link_foreign_host");
        assert!(string(err, "message").contains("not on the pinned API's origin"));
    }
    assert_eq!(urls.length(), 0, "no request at all: {urls:?}");
    // The same link on the pinned API's origin is fetched, from the pinned base.
    let (urls, original) = record_fetch();
    let link = link_at("http://127.0.0.1:9/elsewhere/connect", now());
    let err = rejection(pinned_closed.describe(link.as_str().into())).await;
    restore_fetch(&original);
    assert_munity_error(&err, "network");
    assert_eq!(urls.length(), 1);
    let url = urls.get(0).as_string().expect("a URL");
    assert!(
        url.starts_with("http://127.0.0.1:9/v1/connect/session?v=1&"),
        "{url}"
    );
}

#[wasm_bindgen_test]
async fn a_link_that_is_neither_string_nor_function_is_link_invalid() {
    let connect = MunityConnect::new(JsValue::UNDEFINED).expect("new");
    assert_munity_error(
        &rejection(connect.describe(JsValue::from(42))).await,
        "link_invalid",
    );
    let not_a_link = Function::new_no_args("return Promise.resolve(42)");
    assert_munity_error(
        &rejection(connect.describe(not_a_link.into())).await,
        "link_invalid",
    );
    let throws = Function::new_no_args("throw new Error('backend down')");
    let err = rejection(connect.describe(throws.into())).await;
    assert_munity_error(&err, "link_invalid");
    assert!(string(&err, "message").contains("backend down"));
}

#[wasm_bindgen_test]
async fn an_expired_link_is_refused_before_any_request() {
    let connect = closed_connect();
    let expired = link_at(CLOSED, now() - 3600);
    let err = rejection(connect.describe(expired.as_str().into())).await;
    assert_munity_error(&err, "link_expired");
}

#[wasm_bindgen_test]
async fn an_unreachable_platform_is_network() {
    let connect = closed_connect();
    let link = link_at(CLOSED, now());
    assert_munity_error(
        &rejection(connect.describe(link.as_str().into())).await,
        "network",
    );
    let creds = object(&[("api_key", "k".into())]);
    let err = rejection(connect.submit(link.as_str().into(), creds)).await;
    assert_munity_error(&err, "network");
}

/// A link function over `links` (the last one repeats) that counts its calls in `f.calls()`.
fn counting_source(links: &[String]) -> JsValue {
    let list = links
        .iter()
        .map(|l| JsValue::from_str(l))
        .collect::<Array>();
    Function::new_with_args(
        "links",
        "let calls = 0; const f = () => Promise.resolve(links[Math.min(calls++, links.length - 1)]); \
         f.calls = () => calls; return f;",
    )
    .call1(&JsValue::NULL, &list)
    .expect("source")
}

fn calls(source: &JsValue) -> f64 {
    get(source, "calls")
        .unchecked_into::<Function>()
        .call0(&JsValue::NULL)
        .expect("count")
        .as_f64()
        .expect("a number")
}

#[wasm_bindgen_test]
async fn a_link_function_is_called_again_once_after_link_expired() {
    let connect = closed_connect();
    // Expired, then fresh: the flow goes on with the fresh link and reaches the
    // (closed) platform.
    let source = counting_source(&[link_at(CLOSED, now() - 3600), link_at(CLOSED, now())]);
    assert_munity_error(
        &rejection(connect.describe(source.clone())).await,
        "network",
    );
    assert_eq!(calls(&source), 2.0);
    // Always expired: one retry, then the error.
    let source = counting_source(&[link_at(CLOSED, now() - 3600)]);
    assert_munity_error(
        &rejection(connect.describe(source.clone())).await,
        "link_expired",
    );
    assert_eq!(calls(&source), 2.0);
    // A fixed string is never renewed.
    let fixed = link_at(CLOSED, now() - 3600);
    assert_munity_error(
        &rejection(connect.describe(fixed.as_str().into())).await,
        "link_expired",
    );
}

#[wasm_bindgen_test]
async fn submit_checks_the_credentials_object_first() {
    let connect = closed_connect();
    let link = link_at(CLOSED, now());
    for bad in [JsValue::NULL, JsValue::from("text"), Array::new().into()] {
        let err = rejection(connect.submit(link.as_str().into(), bad)).await;
        assert_munity_error(&err, "validation");
    }
}

#[wasm_bindgen_test]
async fn authorize_without_a_window_or_with_a_blocked_popup() {
    let connect = closed_connect();
    let link = link_at(CLOSED, now());
    let err = rejection(connect.authorize(link.as_str().into(), JsValue::UNDEFINED)).await;
    // Node has no window. In a browser the popup is blocked outside a user gesture, or
    // (chromedriver turns the blocker off) it opens and the closed platform port gives
    // `network`, after which the popup is closed.
    let in_browser = Reflect::has(&js_sys::global(), &"window".into()).unwrap_or(false);
    if in_browser {
        let code = string(&err, "code");
        assert!(code == "popup_blocked" || code == "network", "code {code}");
        assert_munity_error(&err, &code);
    } else {
        assert_munity_error(&err, "no_window");
    }
    let bad_size = object(&[("width", JsValue::from(1.5))]);
    let err = rejection(connect.authorize(link.as_str().into(), bad_size)).await;
    assert_munity_error(&err, "invalid_option");
}

/// Replaces the global `fetch` with one that records each URL and answers `body` (JSON,
/// 200); returns the URLs and the original `fetch` (restore it with [`restore_fetch`]).
fn answer_fetch(body: &str) -> (Array, JsValue) {
    let global = js_sys::global();
    let original = get(&global, "fetch");
    let urls = Array::new();
    let answering = Function::new_with_args(
        "urls, body",
        "return (url) => { urls.push(String(url)); return Promise.resolve(new Response(body, \
         { status: 200, headers: { 'content-type': 'application/json' } })); };",
    )
    .call2(&JsValue::NULL, &urls, &body.into())
    .expect("answering fetch");
    Reflect::set(&global, &"fetch".into(), &answering).expect("set fetch");
    (urls, original)
}

/// A module connector's session: `describe` gives the configuration URL on the pinned
/// API (the one a session names is ignored), and `submit` refuses the connector.
#[wasm_bindgen_test]
async fn describe_of_a_module_connector_gives_the_configuration_url_on_the_pinned_api() {
    let key = ApiKey::parse("REM0aW39.NfO0123456789CNeHpF29wo012345678").expect("a valid test key");
    let link = LinkBuilder::new("ws_1", "cus_42", "retailcrm")
        .base_url(CLOSED)
        .sign(&key, now())
        .expect("the test link signs")
        .into_url();
    let query = link.split_once('?').expect("a query").1.to_owned();
    let session = serde_json::json!({
        "workspace": "ws_1",
        "customer": {"id": null, "external_id": "cus_42"},
        "connector": {
            "name": "retailcrm", "display_name": "RetailCRM", "categories": ["crm"],
            "auth_type": "module", "fields": []
        },
        "expires_at": "2030-01-01T00:00:00Z",
        "nonce": "n",
        "module_config_url": "https://attacker.example/config"
    })
    .to_string();
    let connect = closed_connect();
    let (urls, original) = answer_fetch(&session);
    let described = JsFuture::from(connect.describe(link.as_str().into())).await;
    let submitted =
        rejection(connect.submit(link.as_str().into(), object(&[("api_key", "k".into())]))).await;
    restore_fetch(&original);
    let described = described.expect("describe resolves");
    assert_eq!(string(&described, "authType"), "module");
    assert_eq!(
        string(&described, "moduleConfigUrl"),
        format!("{CLOSED_API}/connect/module/config?{query}")
    );
    assert_munity_error(&submitted, "validation");
    assert!(string(&submitted, "message").contains("moduleConfigUrl"));
    assert!(urls.length() >= 1);
}
