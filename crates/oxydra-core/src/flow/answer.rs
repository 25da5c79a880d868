//! The login and consent apps' answers (`shared/spec/behaviour.md` §3.2 steps 4 and 7, §3.5):
//! the rules an accept or reject must pass before it is stored, and the `redirect_to` URL that
//! hands the verifier back to the browser. Pure: requests, input and [`Now`] in, outcomes out.

use serde_json::{Map, Value};

use crate::error::{Error, OAuthError, OAuthErrorKind};
use crate::flow::{ConsentOutcome, ConsentRequest, FlowId, LoginOutcome, LoginRequest, Rejection};
use crate::model::Now;
use crate::oauth2::scope::is_scope_token;

/// What the login app sends to accept a login request (Hydra's `acceptLoginRequest`; the
/// last four fields are Hydra 1.x/2.x's and empty from a 1.0.0-beta app).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoginAcceptance {
    /// The authenticated end-user; required.
    pub subject: String,
    /// Remember this browser's login.
    pub remember: bool,
    /// Seconds to remember it (0: for the browser session).
    pub remember_for: i64,
    /// Authentication context class.
    pub acr: String,
    /// Pairwise override for this client.
    pub force_subject_identifier: String,
    /// Authentication methods (RFC 8176), the ID token's `amr`.
    pub amr: Vec<String>,
    /// Anything the login app wants the consent app to see (`context` of the consent request).
    pub context: Option<Value>,
    /// A remembered login accepted again (`skip`) lives on: its expiry starts over from now.
    pub extend_session_lifespan: bool,
    /// The login app's own session id (Hydra 2.x, for an identity provider such as Kratos);
    /// kept with the answer.
    pub identity_provider_session_id: String,
}

/// What the consent app sends to accept a consent request (Hydra's `acceptConsentRequest`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConsentAcceptance {
    /// The scopes granted, stored as given (the authorization endpoint intersects them with
    /// what the client may have).
    pub grant_scope: Vec<String>,
    /// Reuse this grant later.
    pub remember: bool,
    /// Seconds to reuse it (0: forever).
    pub remember_for: i64,
    /// `session.access_token`.
    pub access_extra: Map<String, Value>,
    /// `session.id_token`.
    pub id_token_extra: Map<String, Value>,
}

/// The 409 of a second answer to the same request: a challenge is answered once.
pub fn already_answered(what: &'static str) -> Error {
    Error::OAuth(
        OAuthError::new(OAuthErrorKind::Conflict)
            .description(format!("The {what} has been answered already."))
            .hint("A login or consent challenge can be accepted or rejected only once."),
    )
}

fn invalid(hint: &'static str) -> Error {
    Error::OAuth(OAuthError::invalid_request(hint))
}

fn check_remember_for(remember_for: i64) -> Result<(), Error> {
    if remember_for < 0 {
        return Err(invalid("Field remember_for must not be negative."));
    }
    Ok(())
}

/// Step 4: validates a login acceptance against its request. The subject is required; a
/// skipped request (a remembered login) must be accepted for the same subject and without
/// `remember`; `authenticated_at` is `now`, or the remembered session's time when skipped.
pub fn accept_login(
    request: &LoginRequest,
    input: LoginAcceptance,
    now: Now,
) -> Result<LoginOutcome, Error> {
    if request.outcome.is_some() {
        return Err(already_answered("login request"));
    }
    if input.subject.is_empty() {
        return Err(invalid("Field subject must not be empty."));
    }
    check_remember_for(input.remember_for)?;
    if request.skip && input.subject != request.subject {
        return Err(invalid(
            "Field subject does not match the subject of the remembered login session (the request was skip=true).",
        ));
    }
    if request.skip && input.remember {
        return Err(invalid(
            "Field remember must be false: the login was skipped, so there is nothing new to remember.",
        ));
    }
    let authenticated_at = match (request.skip, request.authenticated_at) {
        (true, Some(at)) => at,
        _ => now,
    };
    Ok(LoginOutcome::Accepted {
        subject: input.subject,
        remember: input.remember,
        remember_for: input.remember_for,
        acr: input.acr,
        force_subject_identifier: input.force_subject_identifier,
        authenticated_at: authenticated_at.unix_micros(),
        amr: input.amr,
        context: input.context,
        extend_session_lifespan: input.extend_session_lifespan,
        identity_provider_session_id: input.identity_provider_session_id,
    })
}

/// Step 7: validates a consent acceptance against its request, before anything is stored
/// (Hydra beta stores the answer and then returns 400). A skipped request must not be
/// `remember`ed again; every granted scope must be an RFC 6749 §3.3 scope token.
pub fn accept_consent(
    request: &ConsentRequest,
    input: ConsentAcceptance,
) -> Result<ConsentOutcome, Error> {
    if request.outcome.is_some() {
        return Err(already_answered("consent request"));
    }
    check_remember_for(input.remember_for)?;
    if request.skip && input.remember {
        return Err(invalid(
            "Field remember must be false: the consent was skipped because a remembered consent covers the request.",
        ));
    }
    if !input.grant_scope.iter().all(|s| is_scope_token(s)) {
        return Err(invalid(
            "Field grant_scope must list scope tokens (RFC 6749 section 3.3: no spaces, quotes or backslashes, not empty).",
        ));
    }
    Ok(ConsentOutcome::Accepted {
        grant_scope: input.grant_scope,
        remember: input.remember,
        remember_for: input.remember_for,
        access_extra: input.access_extra,
        id_token_extra: input.id_token_extra,
    })
}

/// §3.5: fills a rejection's defaults so the stored refusal is complete: an empty `error` is
/// `invalid_request`; an empty description is the code's standard text (invalid_request's for
/// codes Oxydra does not know); a zero `status_code` is the code's status (400 when unknown).
/// A `status_code` outside 400–599 is refused: it would render an error as a success.
pub fn complete_rejection(mut rejection: Rejection) -> Result<Rejection, Error> {
    if rejection.status_code != 0 && !(400..=599).contains(&rejection.status_code) {
        return Err(invalid(
            "Field status_code must be 0 (the error's own status) or an HTTP status from 400 to 599.",
        ));
    }
    if rejection.error.is_empty() {
        rejection.error = OAuthErrorKind::InvalidRequest.code().to_owned();
    }
    let kind = OAuthErrorKind::from_code(&rejection.error);
    if rejection.error_description.is_empty() {
        rejection.error_description = kind
            .unwrap_or(OAuthErrorKind::InvalidRequest)
            .default_description()
            .to_owned();
    }
    if rejection.status_code == 0 {
        rejection.status_code = kind.map_or(400, OAuthErrorKind::status);
    }
    Ok(rejection)
}

/// The `redirect_to` of an answered request: its request URL with `param=<verifier>` appended
/// to the query (`?` or `&` as needed).
pub fn redirect_with_verifier(request_url: &str, param: &str, verifier: &FlowId) -> String {
    let separator = if !request_url.contains('?') {
        "?"
    } else if request_url.ends_with(['?', '&']) {
        ""
    } else {
        "&"
    };
    format!("{request_url}{separator}{param}={}", verifier.as_str())
}

#[cfg(test)]
mod tests;
