//! The demo app's calls to the admin API, over HTTP exactly as an operator's login and consent
//! app makes them (`shared/spec/behaviour.md` §3.2 steps 4 and 7): read a request, then accept
//! or reject it and follow the `redirect_to` the answer carries.

use axum::http::StatusCode;
use oxydra_core::oauth2::authorize::ClaimsRequest;
use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_json::{Value, json};

use super::{Demo, DemoError};

/// Which kind of request a challenge names: the path segment under `/oauth2/auth/requests/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `login`.
    Login,
    /// `consent`.
    Consent,
    /// `logout`.
    Logout,
}

impl Kind {
    fn segment(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Consent => "consent",
            Self::Logout => "logout",
        }
    }
}

/// The fields of `GET …/login/{challenge}` the demo uses.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct LoginRequest {
    /// A remembered login exists: accept at once, with this subject.
    #[serde(deserialize_with = "nullable")]
    pub skip: bool,
    /// The remembered subject when `skip`.
    #[serde(deserialize_with = "nullable")]
    pub subject: String,
    /// The requesting client.
    #[serde(deserialize_with = "nullable")]
    pub client: ClientInfo,
    /// OIDC parameters (`login_hint` pre-fills the user name).
    #[serde(deserialize_with = "nullable")]
    pub oidc_context: OidcContext,
}

/// The fields of `GET …/consent/{challenge}` the demo uses.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct ConsentRequest {
    /// A remembered consent covers every requested scope: accept at once.
    #[serde(deserialize_with = "nullable")]
    pub skip: bool,
    /// The authenticated user.
    #[serde(deserialize_with = "nullable")]
    pub subject: String,
    /// The scopes the client asked for.
    #[serde(deserialize_with = "nullable")]
    pub requested_scope: Vec<String>,
    /// The requesting client.
    #[serde(deserialize_with = "nullable")]
    pub client: ClientInfo,
    /// OIDC parameters (`claims` adds individual claims to the grant).
    #[serde(deserialize_with = "nullable")]
    pub oidc_context: OidcContext,
}

/// The fields of `GET …/logout?logout_challenge=` the demo uses.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct LogoutRequest {
    /// The user being logged out.
    #[serde(deserialize_with = "nullable")]
    pub subject: String,
    /// The client that asked (RP-initiated logout with an `id_token_hint`), if any.
    #[serde(deserialize_with = "nullable")]
    pub client: Option<ClientInfo>,
}

/// The client, as the pages name it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct ClientInfo {
    /// Its id.
    #[serde(deserialize_with = "nullable")]
    pub client_id: String,
    /// Its display name, possibly empty.
    #[serde(deserialize_with = "nullable")]
    pub client_name: String,
    /// Hydra 2.x: a first-party client, whose consent is accepted without asking.
    #[serde(deserialize_with = "nullable")]
    pub skip_consent: bool,
    /// Hydra 2.x: a first-party client, whose logout is accepted without asking.
    #[serde(deserialize_with = "nullable")]
    pub skip_logout_consent: bool,
}

impl ClientInfo {
    /// The name to show: `client_name`, else the id.
    pub fn label(&self) -> &str {
        if self.client_name.trim().is_empty() {
            &self.client_id
        } else {
            &self.client_name
        }
    }
}

/// The OIDC context fields the demo uses.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct OidcContext {
    /// `login_hint` of the authorization request.
    #[serde(deserialize_with = "nullable")]
    pub login_hint: String,
    /// `acr_values`, answered by the login when it can meet one.
    #[serde(deserialize_with = "nullable")]
    pub acr_values: Vec<String>,
    /// The `claims` parameter (OIDC Core §5.5), as the server parsed it.
    #[serde(deserialize_with = "nullable")]
    pub claims: Option<ClaimsRequest>,
}

/// A JSON `null` reads as the default, as an absent field does.
fn nullable<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// What an accept or reject answers.
#[derive(Debug, serde::Deserialize)]
struct Completed {
    redirect_to: String,
}

/// The RejectRequest body the demo sends when the user clicks "Deny".
pub(super) fn denied() -> Value {
    json!({
        "error": "access_denied",
        "error_description": "The resource owner denied the request.",
    })
}

impl Demo {
    /// `GET /admin/oauth2/auth/requests/{kind}?{kind}_challenge=` (the Hydra 2.x route, whose
    /// client carries `skip_consent`).
    pub(super) async fn request<T: DeserializeOwned>(
        &self,
        kind: Kind,
        challenge: &str,
    ) -> Result<T, DemoError> {
        let url = self.admin_url(kind, challenge, None)?;
        let response = self.http.get(url).send().await.map_err(unreachable)?;
        let response = check(kind, response).await?;
        response.json::<T>().await.map_err(|e| {
            DemoError::new(
                StatusCode::BAD_GATEWAY,
                format!("The admin API sent an unexpected answer: {e}"),
            )
        })
    }

    /// `PUT /admin/oauth2/auth/requests/{kind}/{accept|reject}?{kind}_challenge=` with `body`;
    /// the `redirect_to` of the answer.
    pub(super) async fn answer(
        &self,
        kind: Kind,
        challenge: &str,
        verdict: &str,
        body: &Value,
    ) -> Result<String, DemoError> {
        let url = self.admin_url(kind, challenge, Some(verdict))?;
        let response = self
            .http
            .put(url)
            .json(body)
            .send()
            .await
            .map_err(unreachable)?;
        let completed: Completed = check(kind, response).await?.json().await.map_err(|e| {
            DemoError::new(
                StatusCode::BAD_GATEWAY,
                format!("The admin API sent an unexpected answer: {e}"),
            )
        })?;
        Ok(completed.redirect_to)
    }

    /// `PUT /admin/oauth2/auth/requests/logout/reject?logout_challenge=`: the login session
    /// stays, and the answer is 204 with no `redirect_to` (the logout app decides where the
    /// browser goes).
    pub(super) async fn reject_logout(&self, challenge: &str) -> Result<(), DemoError> {
        let url = self.admin_url(Kind::Logout, challenge, Some("reject"))?;
        let response = self.http.put(url).send().await.map_err(unreachable)?;
        check(Kind::Logout, response).await.map(drop)
    }

    /// `<admin>/admin/oauth2/auth/requests/<kind>[/<verdict>]?<kind>_challenge=<challenge>`.
    fn admin_url(
        &self,
        kind: Kind,
        challenge: &str,
        verdict: Option<&str>,
    ) -> Result<url::Url, DemoError> {
        let not_ready = || {
            DemoError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The admin API is not listening yet; try again in a moment.",
            )
        };
        let base = self.admin_url.get().ok_or_else(not_ready)?;
        let mut url = url::Url::parse(base).map_err(|_| not_ready())?;
        url.path_segments_mut()
            .map_err(|()| not_ready())?
            .pop_if_empty()
            .extend(["admin", "oauth2", "auth", "requests", kind.segment()])
            .extend(verdict);
        url.query_pairs_mut()
            .append_pair(&format!("{}_challenge", kind.segment()), challenge);
        Ok(url)
    }
}

fn unreachable(e: reqwest::Error) -> DemoError {
    DemoError::new(
        StatusCode::BAD_GATEWAY,
        format!("The admin API could not be reached: {e}"),
    )
}

/// Passes a success through; turns an error answer into the page the user sees.
async fn check(kind: Kind, response: reqwest::Response) -> Result<reqwest::Response, DemoError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let what = kind.segment();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let description = body
        .get("error_description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    Err(match status {
        StatusCode::NOT_FOUND => DemoError::new(
            StatusCode::NOT_FOUND,
            format!(
                "This {what} request does not exist or has expired. Start again from the application."
            ),
        ),
        StatusCode::CONFLICT => DemoError::new(
            StatusCode::CONFLICT,
            format!(
                "This {what} request has already been answered. Start again from the application."
            ),
        ),
        s if s.is_client_error() => DemoError::new(
            s,
            format!("The admin API refused the {what} request: {description}"),
        ),
        _ => DemoError::new(
            StatusCode::BAD_GATEWAY,
            format!("The admin API failed ({status}): {description}"),
        ),
    })
}
