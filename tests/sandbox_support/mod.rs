//! Helpers shared by the sandbox's integration tests: raw HTTP with reqwest, so the tests
//! check the wire format itself (the client's own tests go through `munity::Client`).
#![allow(dead_code)]

pub mod capture;
pub mod raw_http;
pub mod receiver;

use munity::ApiKey;
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

/// An answer: status, headers, JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The error code of an error answer.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// The names of the fields of a validation error.
    pub fn fields(&self) -> Vec<String> {
        self.body["fields"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Raw API calls with one key.
#[derive(Debug, Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub auth: Option<String>,
}

impl Api {
    pub fn new(base: &str, key: &ApiKey) -> Api {
        Api {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            auth: Some(key.authorization_value().expose().clone()),
        }
    }

    /// The same server with another `Authorization` header (or none).
    pub fn with_auth(&self, auth: Option<&str>) -> Api {
        Api {
            auth: auth.map(str::to_owned),
            ..self.clone()
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        }
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.http.request(method, self.url(path));
        match &self.auth {
            Some(auth) => builder.header("Authorization", auth),
            None => builder,
        }
    }

    pub async fn answer(builder: reqwest::RequestBuilder) -> Answer {
        Api::try_answer(builder)
            .await
            .expect("request sent and answer read")
    }

    /// The answer, or the transport error (connection refused or dropped, body cut
    /// short): for tests where the server may die mid-request.
    pub async fn try_answer(builder: reqwest::RequestBuilder) -> Result<Answer, reqwest::Error> {
        let response = builder.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("JSON body")
        };
        assert!(
            headers.contains_key("x-request-id"),
            "every answer has X-Request-Id"
        );
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut builder = self.request(method, path);
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        Api::answer(builder).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None).await
    }

    /// The id of the seeded customer `acme`.
    pub async fn acme(&self) -> String {
        let page = self.get("/customers/?external_id=acme").await;
        assert_eq!(page.status, 200);
        page.body["results"][0]["id"]
            .as_str()
            .expect("acme is seeded")
            .to_owned()
    }
}

/// Whether `text` is a UUID as the API's documentation shows ids (lower-case hex,
/// hyphenated 8-4-4-4-12, e.g. `f87cc67d-b594-4407-a90d-b26cfdae8f14`).
pub fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}
