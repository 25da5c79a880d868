//! Glue between the `oauth2` crate and our `reqwest`: the crate accepts any async function from
//! `http::Request<Vec<u8>>` to `http::Response<Vec<u8>>` as its HTTP client.

use oxydra_testkit::server::TestServer;
use serde_json::{Value, json};

/// The `oauth2` crate's HTTP client, over one shared `reqwest::Client`.
pub async fn send(request: oauth2::HttpRequest) -> Result<oauth2::HttpResponse, reqwest::Error> {
    static HTTP: std::sync::LazyLock<reqwest::Client> = std::sync::LazyLock::new(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    });
    let (parts, body) = request.into_parts();
    let response = HTTP
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut builder = http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = response.bytes().await?.to_vec();
    Ok(builder.body(body).unwrap())
}

/// Registers a confidential client through the admin API with plain `reqwest`.
pub async fn register(server: &TestServer, id: &str, secret: &str, extra: Value) -> Value {
    let mut body = json!({
        "client_id": id,
        "client_secret": secret,
        "redirect_uris": ["https://app.example/cb"],
        "grant_types": ["client_credentials", "authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": "read write offline",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = reqwest::Client::new()
        .post(server.admin("/clients"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

/// `POST /oauth2/introspect` with plain `reqwest`.
pub async fn introspect(server: &TestServer, token: &str) -> Value {
    let res = reqwest::Client::new()
        .post(server.admin("/oauth2/introspect"))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}
