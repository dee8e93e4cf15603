//! Signed reqwest requests and redirects (real HTTP on 127.0.0.1): reqwest strips only
//! `Authorization` and `Cookie` when a redirect leaves the host, so a credential in
//! another header (`headers`, `bearer` with a custom key, the HMAC and AWS headers)
//! would follow a `307` anywhere. The signing client follows redirects within the
//! request's origin only and hands any other back to the caller.

use crate::sandbox_support;

use munity::auth::{Options, Selected, SigningClient};
use munity::model::{Authentication, ContentType, CredentialRecordInput, Environment};
use sandbox_support::receiver::{receiver, redirector};

const TOKEN: &str = "tok-Zq9vX2mK7tPfL4wR8nYc";

fn record(base: &str) -> CredentialRecordInput {
    CredentialRecordInput::new(
        "Acme",
        base,
        Environment::Production,
        ContentType::Json,
        Authentication::Bearer {
            key: "X-Api-Token".into(),
            value: TOKEN.into(),
        },
    )
}

/// The origin of a receiver's URL (`http://127.0.0.1:<port>`).
fn origin(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    format!("http://{}", rest.split('/').next().unwrap())
}

#[tokio::test]
async fn a_cross_origin_redirect_is_not_followed_with_the_credentials() {
    let (elsewhere, seen_elsewhere) = receiver(0).await;
    let redirecting = redirector(elsewhere.clone()).await;
    let r = record(&origin(&redirecting));
    let selected = Selected::from_record(&r, None).unwrap();
    let signer = SigningClient::new().unwrap();
    // Signing for the other origin directly is refused as well.
    let refused = signer
        .sign(
            &selected,
            signer.client().post(&elsewhere),
            &Options::at(munity::now_unix()),
        )
        .unwrap_err();
    assert_eq!(refused.code(), "url_outside_base_url");
    let signed = signer
        .sign(
            &selected,
            signer.client().post(&redirecting).body("{}"),
            &Options::at(munity::now_unix()),
        )
        .unwrap();
    let response = signed.send().await.unwrap();
    assert_eq!(
        response.status(),
        307,
        "the redirect comes back to the caller"
    );
    assert!(
        seen_elsewhere.lock().unwrap().is_empty(),
        "the signed request followed the redirect to another origin"
    );
}

#[tokio::test]
async fn a_redirect_within_the_origin_is_followed() {
    use axum::http::{header, HeaderMap, StatusCode};
    use axum::routing::post;
    let app = axum::Router::new()
        .route(
            "/old",
            post(|| async { (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, "/new")]) }),
        )
        .route(
            "/new",
            post(|headers: HeaderMap| async move {
                let token = headers
                    .get("x-api-token")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                token
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let r = record(&base);
    let selected = Selected::from_record(&r, None).unwrap();
    let signer = SigningClient::new().unwrap();
    let response = signer
        .sign(
            &selected,
            // Built by another client: the signing client sends it.
            reqwest::Client::new()
                .post(format!("{base}/old"))
                .body("{}"),
            &Options::at(munity::now_unix()),
        )
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), format!("Bearer {TOKEN}"));
}
