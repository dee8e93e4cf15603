//! The JavaScript bindings: the npm package `@munity/connect`, built by
//! `scripts/build-pkg` for `wasm32-unknown-unknown` with wasm-bindgen (compiled only with
//! feature `wasm` on `wasm32`).
//!
//! - [`MunityConnect`]: `describe`, `submit`, `authorize` (Promises) and `open`
//!   (callbacks, with a built-in prompt);
//! - [`parse_link`] (`parseLink`) and [`encrypt_credentials`] (`encryptCredentials`):
//!   the link and envelope code of the crate, for pages that build their own flow.
//!
//! Wherever a link is taken, a function returning a Promise of a fresh link is accepted
//! too: on `link_expired` or `link_used` it is called once more and the flow goes on.
//! Every error reaches JavaScript as a `MunityError` (an `Error` with `code`,
//! `message`, `fields`, `status`); the TypeScript declarations below are the package's
//! contract.
//!
//! The package pins the API it talks to (`apiBase`, production by default): a link on
//! another origin is refused (`link_foreign_host`) before any request, and requests go
//! to `{apiBase}/connect`, never to the link's own address; the API answers CORS only to
//! the pages its workspace allows. A certificate pin seals only to the `certificate`
//! given, or (`certificateKid`) refuses a session carrying another key
//! (`certificate_mismatch`).
//!
//! The package takes the workspace certificate's key as a public JWK (the session's
//! `jwk`, the `jwk` of `GET /v1/workspace/certificate/`), and reads no PEM or X.509:
//! that reader was 10.6 KB of the package (gzipped), and a key from the API is trusted
//! exactly as a certificate from it was (its signature was never checked). The API hands
//! out only a certificate valid now.
//!
//! The platform side of the flows: `GET {connect}/session?{link query}`,
//! `POST {connect}/credentials?{query}` with `{"envelope"}`, and the OAuth2 page
//! `{connect}/oauth2/authorize?link={link query}&origin={page origin}`, which answers by
//! `postMessage` to the opener's origin with `{"type": "munity:connect", "connection"}`
//! or `{"type": "munity:connect", "error": {"code", "detail"}}` (see `popup.rs`).

mod clock;
mod connect;
mod error;
mod flow;
mod http;
mod js;
mod link_source;
mod messages;
mod popup;
mod subtle;
mod types;
mod ui;

use wasm_bindgen::prelude::*;

pub use connect::{ConnectHandle, MunityConnect};

use crate::Result;

#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT: &'static str = r#"
/** A connect link, or a function returning a Promise of a fresh one: on `link_expired`
 * or `link_used` the function is called once more and the flow goes on with its link. */
export type LinkSource = string | (() => Promise<string>);

/** How a connector gets its credentials: the ways of connecting, then the credential
 * record schemes, then a module (tested against the crate's `AuthType::known()`). The
 * API may add types: one this version does not know arrives as its name (`string & {}`
 * keeps the known names in editors). */
export type AuthType =
  | "oauth2" | "api_key" | "user_credentials"
  | "headers" | "basic" | "bearer" | "aws4" | "hmac_sha256" | "none"
  | "module"
  | (string & {});

/** One credential field to ask the end user for. */
export interface FieldSpec {
  /** The key in the credentials object, e.g. `api_key`. */
  name: string;
  /** The label to show. */
  label: string;
  /** How to show it (`password` for secrets); a kind added to the API later arrives as
   * its name, and the prompt shows it as text (or as a password when `secret`). */
  kind: "text" | "password" | "url" | (string & {});
  required: boolean;
  /** Encrypted and never shown back. */
  secret: boolean;
  help?: string;
}

/** The connect session a link opens (`describe`). */
export interface ConnectSession {
  /** The connector's name, e.g. `jira`. */
  connector: string;
  displayName?: string;
  authType: AuthType;
  /** The fields `submit` needs (empty for OAuth2). */
  fields: FieldSpec[];
  /** The product's customer id. */
  customer: string;
  /** When the link expires (RFC 3339). */
  expiresAt: string;
  /** The workspace key credentials are encrypted to: a public JWK as JSON text (what
   * the `certificate` option takes). */
  certificate?: string;
  /** For a `module` connector (`authType` `"module"`, e.g. RetailCRM): the configuration
   * URL, on the pinned `apiBase`, that the end user pastes into the system's
   * marketplace; the system then registers and the connection is made (no `submit`). */
  moduleConfigUrl?: string;
}

/** A customer's connection to a connector. */
export interface Connection {
  id: string;
  customerId: string;
  connector: string;
  /** A status added to the API later arrives as its name. */
  status: "active" | "error" | (string & {});
  /** RFC 3339. */
  createdAt: string;
}

/** What a link says (`parseLink`); the signature is the platform's to check. */
export interface LinkInfo {
  workspace: string;
  customer: string;
  connector: string;
  /** RFC 3339. */
  expiresAt: string;
  redirectUri?: string;
  scope?: string;
}

/** The codes of `MunityError`; others may be added. */
export type MunityErrorCode =
  | "link_invalid" | "link_invalid_signature" | "link_expired" | "link_used"
  | "link_foreign_host" | "origin_not_allowed" | "certificate_mismatch"
  | "certificate_invalid" | "certificate_expired" | "certificate_not_yet_valid" | "unsupported_key"
  | "validation" | "popup_blocked" | "window_closed" | "access_denied" | "oauth_failed"
  | "rate_limited" | "crypto" | "network" | "server" | "internal"
  | "invalid_option" | "no_window" | "insecure_context" | "webcrypto_unavailable"
  | (string & {});

/** A problem with one credential field. */
export interface FieldError {
  field: string;
  message: string;
}

/** Every rejection and `onError` gets one: `err instanceof MunityError` (a subclass of
 * `Error`), `name` `"MunityError"`. */
export declare class MunityError extends Error {
  private constructor();
  name: "MunityError";
  code: MunityErrorCode;
  message: string;
  /** Per-field problems (for `validation`); empty otherwise. */
  fields: FieldError[];
  /** The HTTP status, when the platform answered with an error. */
  status?: number;
}

export interface MunityConnectOptions {
  /** The pinned API (default `https://api.munityapps.com/v1`; `https`, or `http` on
   * loopback only). Every request goes there; a link on another origin is refused with
   * `link_foreign_host` before anything is sent. */
  apiBase?: string;
  /** The workspace certificate's key, as a public JWK in JSON text (the `jwk` of
   * `GET /v1/workspace/certificate/`; a PEM is refused with `certificate_invalid`):
   * credentials are sealed to it and never to the key a session carries. The strongest
   * mode: not even the API's answers can redirect the credentials. */
  certificate?: string;
  /** The workspace certificate's key id (its SHA-256 thumbprint, 43 base64url
   * characters, `kid` of `GET /v1/workspace/certificate/`): a session carrying another
   * key is refused (`certificate_mismatch`). */
  certificateKid?: string;
}

export interface AuthorizeOptions {
  /** The popup's width in pixels (default 500). */
  width?: number;
  /** The popup's height in pixels (default 700). */
  height?: number;
  /** Aborting it closes the popup; the Promise then rejects with `window_closed`. */
  signal?: AbortSignal;
}

/** The steps `onEvent` reports. */
export type MunityEventName =
  | "opened" | "validated" | "encrypted" | "submitted" | "success" | "error" | "exit";

export interface OpenHandlers {
  onSuccess(connection: Connection): void;
  onError(error: MunityError): void;
  /** The user closed the prompt. */
  onExit?(): void;
  onEvent?(name: MunityEventName, data: object | undefined): void;
  /** The prompt's language: `"en"` or `"fr"` (`"fr-CA"`... are French); default the
   * page's `<html lang>`, else English. */
  locale?: string;
  /** Replaces the prompt's strings (`{name}`: the connector, `{label}`: a field,
   * `{error}`: the error's message). An unknown key is `invalid_option`. */
  messages?: MunityMessages;
  /** CSS custom properties of the prompt without their `--munity-` prefix, e.g.
   * `{ accent: '#0a7d5a', radius: '4px' }`: `accent`, `on-accent`, `bg`, `fg`, `muted`,
   * `border`, `error`, `success`, `radius`, `font`. They win over the dark scheme too. */
  theme?: Record<string, string>;
}

/** The built-in prompt's strings (see `OpenHandlers.messages`). */
export interface MunityMessages {
  title?: string; connect?: string; connectWith?: string; cancel?: string; close?: string;
  done?: string; busy?: string; popup?: string; success?: string; failure?: string;
  invalid?: string; required?: string; moduleHelp?: string; configUrl?: string;
}
"#;

/// `parseLink(link)`: what a connect link says (workspace, customer, connector,
/// expiry). Checks the form only (the signature is the platform's to check).
///
/// # Errors
/// `link_invalid` for anything malformed.
#[wasm_bindgen(js_name = parseLink, unchecked_return_type = "LinkInfo")]
pub fn parse_link(link: &str) -> Result<JsValue> {
    let parsed = crate::link::ConnectLink::parse(link)?;
    types::JsLinkInfo {
        workspace: parsed.workspace(),
        customer: parsed.customer(),
        connector: parsed.connector(),
        expires_at: crate::time::format_rfc3339(parsed.expires_at()),
        redirect_uri: parsed.redirect_uri(),
        scope: parsed.scope(),
    }
    .to_js()
}

/// `encryptCredentials(workspaceKey, link, credentials)`: a Promise of the credentials
/// sealed to the workspace certificate's key (a public JWK as JSON text: the `jwk` of
/// `GET /v1/workspace/certificate/`) and bound to the link's session, as a compact JWE
/// (`ECDH-ES`, `A256GCM`) for `POST {connect}/credentials`. Sealed with the browser's
/// WebCrypto, which exists only in secure contexts (https, localhost).
///
/// # Errors
/// (rejections) `link_invalid`, `link_expired`, `certificate_invalid` (a PEM, or a
/// malformed JWK), `unsupported_key`, `validation` when a value is not a
/// string, `insecure_context` outside a secure context.
#[wasm_bindgen(js_name = encryptCredentials, unchecked_return_type = "Promise<string>")]
pub fn encrypt_credentials(
    #[wasm_bindgen(js_name = workspaceKey)] workspace_key: String,
    link: String,
    #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] credentials: JsValue,
) -> js_sys::Promise {
    js::promise(async move {
        let now = clock::now_unix();
        // The key first: WebCrypto makes the ephemeral key while the link and the
        // credentials are read.
        let sealer = subtle::Sealer::start(&workspace_key).await?;
        let parsed = flow::read_link(&link, now)?;
        let credentials = flow::read_credentials(&credentials)?;
        let envelope = sealer
            .seal(&flow::binding(&parsed), &credentials, now)
            .await?;
        Ok(JsValue::from(envelope))
    })
}
