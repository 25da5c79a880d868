//! The HTTP side of the token hook (`OAUTH2_TOKEN_HOOK_URL`, core's `service::token_hook`):
//! one JSON `POST` per token request, in Hydra 2.x's shape, with the outbound-fetch rules that
//! apply to an operator-chosen URL — a whole-call timeout, a capped response body, no proxy,
//! no redirects, and errors that never echo the hook's status or body to the client.
//! Private and loopback addresses are allowed: the operator chose the URL.

use std::sync::Arc;

use oxydra_core::service::token_hook::{
    TokenHook, TokenHookAnswer, TokenHookCall, TokenHookFailure,
};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, HeaderName, HeaderValue};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::config::TokenHookConfig;
use crate::remote_fetch::{classify, read_capped};

/// The largest hook answer read.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The configured hook, or none; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct HttpTokenHook(Option<Arc<Configured>>);

#[derive(Debug)]
struct Configured {
    http: reqwest::Client,
    config: TokenHookConfig,
}

impl HttpTokenHook {
    /// The hook of `config`, or one that is never called when `None`.
    pub fn new(config: Option<&TokenHookConfig>) -> Result<Self, reqwest::Error> {
        let Some(config) = config else {
            return Ok(Self(None));
        };
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()?;
        Ok(Self(Some(Arc::new(Configured {
            http,
            config: config.clone(),
        }))))
    }
}

/// Hydra 2.x's answer: `{"session": {"access_token": {...}, "id_token": {...}}}`.
#[derive(Deserialize)]
struct Answer {
    session: AnswerSession,
}

#[derive(Deserialize)]
struct AnswerSession {
    #[serde(default)]
    access_token: Option<Map<String, Value>>,
    #[serde(default)]
    id_token: Option<Map<String, Value>>,
}

/// Hydra 2.x's request body: the session (extra claims of both tokens, the subject) and the
/// requester (client, granted scopes and audience, grant type). Nothing secret.
fn body(call: &TokenHookCall<'_>) -> Value {
    let grant_type = match call.grant_type {
        oxydra_core::oauth2::grant::TokenGrant::AuthorizationCode => "authorization_code",
        oxydra_core::oauth2::grant::TokenGrant::RefreshToken => "refresh_token",
        oxydra_core::oauth2::grant::TokenGrant::ClientCredentials => "client_credentials",
        oxydra_core::oauth2::grant::TokenGrant::DeviceCode => {
            "urn:ietf:params:oauth:grant-type:device_code"
        }
        oxydra_core::oauth2::grant::TokenGrant::TokenExchange => {
            oxydra_core::client::TOKEN_EXCHANGE_GRANT
        }
        oxydra_core::oauth2::grant::TokenGrant::JwtBearer => oxydra_core::client::JWT_BEARER_GRANT,
    };
    json!({
        "session": {
            "id_token": {
                "id_token_claims": {"sub": call.subject, "ext": call.session.id_token_extra},
                "subject": call.subject,
            },
            "extra": call.session.access_extra,
            "client_id": call.client_id.as_str(),
        },
        "request": {
            "client_id": call.client_id.as_str(),
            "granted_scopes": call.granted_scope,
            "granted_audience": call.granted_audience,
            "grant_types": [grant_type],
            "payload": {},
        },
    })
}

impl Configured {
    async fn call(
        &self,
        call: TokenHookCall<'_>,
    ) -> Result<Option<TokenHookAnswer>, TokenHookFailure> {
        let url = self.config.url.as_str();
        let failed = |why: &str| TokenHookFailure::Failed(format!("token hook {url}: {why}"));
        let mut request = self
            .http
            .post(self.config.url.clone())
            .header(CONTENT_TYPE, "application/json; charset=UTF-8")
            .body(body(&call).to_string());
        if let Some(key) = &self.config.api_key {
            let value = HeaderValue::from_str(key.value.expose()).map_err(|_| failed("bad key"))?;
            request = if key.in_cookie {
                let cookie = format!("{}={}", key.name, key.value.expose());
                request.header(
                    COOKIE,
                    HeaderValue::from_str(&cookie).map_err(|_| failed("bad key"))?,
                )
            } else {
                let name =
                    HeaderName::from_bytes(key.name.as_bytes()).map_err(|_| failed("bad key"))?;
                request.header(name, value)
            };
        }
        let response = request
            .send()
            .await
            .map_err(|e| failed(classify(url, &e).reason()))?;
        match response.status() {
            StatusCode::NO_CONTENT => return Ok(None),
            StatusCode::FORBIDDEN => return Err(TokenHookFailure::Denied),
            StatusCode::OK => {}
            other => return Err(failed(&format!("answered {}", other.as_u16()))),
        }
        let bytes = read_capped(url, response, MAX_ANSWER_BYTES)
            .await
            .map_err(|e| failed(e.reason()))?;
        let answer: Answer = serde_json::from_slice(&bytes)
            .map_err(|_| failed("the answer is not the expected JSON"))?;
        Ok(Some(TokenHookAnswer {
            access_token: answer.session.access_token,
            id_token: answer.session.id_token,
        }))
    }
}

impl TokenHook for HttpTokenHook {
    fn configured(&self) -> bool {
        self.0.is_some()
    }

    async fn call(
        &self,
        call: TokenHookCall<'_>,
    ) -> Result<Option<TokenHookAnswer>, TokenHookFailure> {
        match &self.0 {
            Some(hook) => hook.call(call).await,
            None => Ok(None),
        }
    }
}
