//! The journeys the closed-loop driver runs: a whole authorization-code flow (browser side
//! without a browser: redirects read from `Location`, cookies carried by hand), refresh-token
//! rotation, and token revocation.

use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};

use crate::backend::basic_auth;
use crate::driver::{Journey, JourneyFuture, JourneyStateFuture};

/// Where the flow's browser is sent back to; never fetched, only read from `Location`.
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// A confidential client registered for the authorization-code flow with refresh tokens.
#[derive(Debug, Clone)]
pub struct FlowClient {
    /// Base URL of the public port.
    pub public: String,
    /// Base URL of the admin port.
    pub admin: String,
    /// The client's id.
    pub client_id: String,
    /// The client's secret.
    pub secret: String,
}

impl FlowClient {
    /// Registers a new client on `admin` whose ID tokens are signed with `alg` (`None`: the
    /// server's default).
    pub async fn register(
        http: &reqwest::Client,
        public: &str,
        admin: &str,
        alg: Option<&str>,
    ) -> anyhow::Result<Self> {
        let client = Self {
            public: public.to_owned(),
            admin: admin.to_owned(),
            client_id: format!("bench-flow-{}", uuid::Uuid::new_v4().simple()),
            secret: uuid::Uuid::new_v4().simple().to_string(),
        };
        let mut body = json!({
            "client_id": client.client_id,
            "client_secret": client.secret,
            "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
            "response_types": ["code"],
            "redirect_uris": [REDIRECT_URI],
            "scope": "openid offline",
            "token_endpoint_auth_method": "client_secret_basic",
        });
        if let Some(alg) = alg {
            body["id_token_signed_response_alg"] = json!(alg);
        }
        crate::setup::post_client(http, admin, &body).await?;
        Ok(client)
    }

    /// Runs `/oauth2/auth` → login accept → consent accept → code → token; returns the token
    /// response.
    pub async fn flow(&self, http: &reqwest::Client, scope: &str) -> anyhow::Result<Value> {
        let mut cookies = Cookies::default();
        let auth = url::Url::parse_with_params(
            &format!("{}/oauth2/auth", self.public),
            &[
                ("client_id", self.client_id.as_str()),
                ("response_type", "code"),
                ("scope", scope),
                ("redirect_uri", REDIRECT_URI),
                ("state", "bench-state-0123456789"),
                ("nonce", "bench-nonce-0123456789"),
            ],
        )?;
        let to_login = cookies.follow(http, auth.as_str()).await?;
        // Started on port 0, the server's issuer names its default port: the browser's next
        // stops on the public port are sent to where it really listens.
        let to_login = self.on_public_port(&to_login)?;
        let challenge = param(&to_login, "login_challenge")?;
        let back = self
            .accept(http, "login", &challenge, json!({"subject": "bench-user"}))
            .await?;
        let to_consent = cookies.follow(http, &self.on_public_port(&back)?).await?;
        let challenge = param(&to_consent, "consent_challenge")?;
        let scopes: Vec<&str> = scope.split(' ').collect();
        let back = self
            .accept(http, "consent", &challenge, json!({"grant_scope": scopes}))
            .await?;
        let to_client = cookies.follow(http, &self.on_public_port(&back)?).await?;
        let code = param(&to_client, "code")?;
        self.token(
            http,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
            ],
        )
        .await
    }

    /// `url` with the scheme, host and port of the public listener, unless it points at the
    /// client's redirect URI.
    fn on_public_port(&self, url: &str) -> anyhow::Result<String> {
        if url.starts_with(REDIRECT_URI) {
            return Ok(url.to_owned());
        }
        let mut parsed = url::Url::parse(url)?;
        let public = url::Url::parse(&self.public)?;
        parsed
            .set_scheme(public.scheme())
            .map_err(|()| anyhow!("cannot rebase {url}"))?;
        parsed.set_host(public.host_str())?;
        parsed
            .set_port(public.port())
            .map_err(|()| anyhow!("cannot rebase {url}"))?;
        Ok(parsed.to_string())
    }

    /// `PUT /oauth2/auth/requests/{kind}/accept?{kind}_challenge=…`; returns `redirect_to`.
    async fn accept(
        &self,
        http: &reqwest::Client,
        kind: &str,
        challenge: &str,
        body: Value,
    ) -> anyhow::Result<String> {
        let url = format!("{}/oauth2/auth/requests/{kind}/accept", self.admin);
        let response = http
            .put(&url)
            .query(&[(format!("{kind}_challenge"), challenge)])
            .json(&body)
            .send()
            .await
            .with_context(|| format!("accept {kind}"))?;
        let answer = json_of(response, &url).await?;
        answer
            .get("redirect_to")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| anyhow!("accept {kind} answered no redirect_to: {answer}"))
    }

    /// `POST /oauth2/token` with the client's Basic credentials; returns the JSON answer.
    pub async fn token(
        &self,
        http: &reqwest::Client,
        form: &[(&str, &str)],
    ) -> anyhow::Result<Value> {
        let url = format!("{}/oauth2/token", self.public);
        let response = http
            .post(&url)
            .header("Authorization", basic_auth(&self.client_id, &self.secret))
            .form(form)
            .send()
            .await
            .context("POST /oauth2/token")?;
        json_of(response, &url).await
    }
}

/// The cookies a browser would hold during one flow.
#[derive(Debug, Default)]
struct Cookies(Vec<(String, String)>);

impl Cookies {
    /// `GET url` with the cookies; keeps the answer's cookies and returns its `Location`.
    async fn follow(&mut self, http: &reqwest::Client, url: &str) -> anyhow::Result<String> {
        let mut request = http.get(url);
        if !self.0.is_empty() {
            let header: Vec<String> = self.0.iter().map(|(n, v)| format!("{n}={v}")).collect();
            request = request.header("Cookie", header.join("; "));
        }
        let response = request.send().await.with_context(|| format!("GET {url}"))?;
        for value in response.headers().get_all("set-cookie") {
            let pair = value.to_str().unwrap_or_default().split(';').next();
            if let Some((name, value)) = pair.and_then(|p| p.split_once('=')) {
                self.0.retain(|(n, _)| n != name);
                self.0
                    .push((name.trim().to_owned(), value.trim().to_owned()));
            }
        }
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match location {
            Some(location) if status.is_redirection() => {
                Ok(url::Url::parse(url)?.join(&location)?.to_string())
            }
            _ => bail!(
                "GET {url} answered {status} without a redirect: {}",
                response.text().await.unwrap_or_default()
            ),
        }
    }
}

/// The query parameter `name` of `url`, or the error the redirect carried.
fn param(url: &str, name: &str) -> anyhow::Result<String> {
    let parsed = url::Url::parse(url)?;
    let find = |key: &str| {
        parsed
            .query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    find(name).ok_or_else(|| {
        anyhow!(
            "{url} has no {name} (error: {})",
            find("error_description").unwrap_or_default()
        )
    })
}

/// The JSON body of a 200/201 answer, or an error naming `url` and the status.
async fn json_of(response: reqwest::Response, url: &str) -> anyhow::Result<Value> {
    let status = response.status();
    let text = response.text().await.context("reading the body")?;
    if !status.is_success() {
        bail!("{url} answered {status}: {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("{url} answered no JSON: {text}"))
}

/// The `alg` in the header of a JWT.
pub fn jwt_alg(jwt: &str) -> anyhow::Result<String> {
    use base64::Engine as _;
    let header = jwt.split('.').next().unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header)?;
    let header: Value = serde_json::from_slice(&bytes)?;
    header
        .get("alg")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("the JWT header has no alg"))
}

/// The whole authorization-code flow with an ID token, one per journey.
#[derive(Debug)]
pub struct FullFlow(pub FlowClient);

impl Journey for FullFlow {
    type State = ();

    fn prepare(&self, _http: reqwest::Client) -> JourneyStateFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }

    fn run<'a>(&'a self, http: &'a reqwest::Client, _state: &'a mut ()) -> JourneyFuture<'a> {
        Box::pin(async move {
            let answer = self.0.flow(http, "openid offline").await?;
            answer
                .get("id_token")
                .and_then(Value::as_str)
                .map(drop)
                .ok_or_else(|| anyhow!("the token response has no id_token: {answer}"))
        })
    }
}

/// Refresh-token rotation: each journey redeems the user's refresh token for a new pair.
#[derive(Debug)]
pub struct RefreshRotation(pub Arc<FlowClient>);

/// The `refresh_token` of a token answer.
fn refresh_token_of(answer: &Value) -> anyhow::Result<String> {
    answer
        .get("refresh_token")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("the token response has no refresh_token: {answer}"))
}

impl Journey for RefreshRotation {
    type State = String;

    fn prepare(&self, http: reqwest::Client) -> JourneyStateFuture<'_, String> {
        // `offline` only: the rotation, without an ID token's signature.
        Box::pin(async move { refresh_token_of(&self.0.flow(&http, "offline").await?) })
    }

    fn run<'a>(&'a self, http: &'a reqwest::Client, state: &'a mut String) -> JourneyFuture<'a> {
        Box::pin(async move {
            let form = [("grant_type", "refresh_token"), ("refresh_token", state)];
            let answer = self.0.token(http, &form).await?;
            *state = refresh_token_of(&answer)?;
            Ok(())
        })
    }
}

/// Revocation (RFC 7009): each journey obtains a `client_credentials` access token and
/// revokes it, so every revocation hits a live token; the token's own cost is the `token`
/// scenario's.
#[derive(Debug)]
pub struct Revocation(pub Arc<FlowClient>);

impl Journey for Revocation {
    type State = ();

    fn prepare(&self, _http: reqwest::Client) -> JourneyStateFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }

    fn run<'a>(&'a self, http: &'a reqwest::Client, _state: &'a mut ()) -> JourneyFuture<'a> {
        Box::pin(async move {
            let answer = self
                .0
                .token(http, &[("grant_type", "client_credentials")])
                .await?;
            let token = answer
                .get("access_token")
                .and_then(Value::as_str)
                .ok_or_else(|| anyhow!("the token response has no access_token: {answer}"))?;
            let url = format!("{}/oauth2/revoke", self.0.public);
            let response = http
                .post(&url)
                .header(
                    "Authorization",
                    basic_auth(&self.0.client_id, &self.0.secret),
                )
                .form(&[("token", token)])
                .send()
                .await
                .context("POST /oauth2/revoke")?;
            if !response.status().is_success() {
                bail!("{url} answered {}", response.status());
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_parameters_and_errors_from_redirects() {
        let url = "http://127.0.0.1:9/callback?code=abc&state=s";
        assert_eq!(param(url, "code").unwrap(), "abc");
        let err = param(
            "http://127.0.0.1:9/callback?error=access_denied&error_description=no",
            "code",
        )
        .unwrap_err();
        assert!(err.to_string().contains("no"), "{err}");
    }

    #[test]
    fn reads_the_alg_of_a_jwt() {
        // {"alg":"ES256","typ":"JWT"}
        let jwt = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig";
        assert_eq!(jwt_alg(jwt).unwrap(), "ES256");
    }
}
