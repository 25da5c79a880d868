//! The form-encoded request bodies, described for the document only: the server reads these
//! fields one by one from the form (RFC 6749 §4, RFC 7009 §2.1, RFC 7662 §2.1), so there is no
//! wire struct to derive them from. Every field is optional here because the server answers a
//! missing one with its own documented error rather than refusing the form.

#![allow(dead_code)] // Only the schemas are used; the fields are never read or written.

use utoipa::ToSchema;

/// Body of `POST /oauth2/token` (RFC 6749 §4.1.3, §4.4.2, §6), with the client's credentials
/// when it sends them in the body (`client_secret_post`, `private_key_jwt`, public clients).
#[derive(ToSchema)]
pub struct TokenRequestForm {
    /// `authorization_code`, `refresh_token`, `client_credentials`,
    /// `urn:ietf:params:oauth:grant-type:device_code` or
    /// `urn:ietf:params:oauth:grant-type:jwt-bearer`.
    grant_type: Option<String>,
    /// The authorization code (`authorization_code`).
    code: Option<String>,
    /// The redirect URI the code was issued for (`authorization_code`).
    redirect_uri: Option<String>,
    /// The PKCE verifier (RFC 7636 §4.5).
    code_verifier: Option<String>,
    /// The refresh token (`refresh_token`).
    refresh_token: Option<String>,
    /// The device code (`urn:ietf:params:oauth:grant-type:device_code`, RFC 8628 §3.4).
    device_code: Option<String>,
    /// The JWT a trusted issuer signed (`urn:ietf:params:oauth:grant-type:jwt-bearer`, RFC 7523
    /// §2.1).
    assertion: Option<String>,
    /// Space-separated scopes (`client_credentials`, `refresh_token`, `jwt-bearer`).
    scope: Option<String>,
    /// The client, when it does not authenticate with HTTP Basic.
    client_id: Option<String>,
    /// The client's secret (`client_secret_post`).
    client_secret: Option<String>,
    /// `urn:ietf:params:oauth:client-assertion-type:jwt-bearer` (`private_key_jwt`).
    client_assertion_type: Option<String>,
    /// The signed client assertion (`private_key_jwt`).
    client_assertion: Option<String>,
}

/// Body of `POST /oauth2/device/auth` (RFC 8628 §3.1), with the client's credentials when it
/// sends them in the body.
#[derive(ToSchema)]
pub struct DeviceAuthorizationForm {
    /// Space-separated scopes.
    scope: Option<String>,
    /// The client, when it does not authenticate with HTTP Basic.
    client_id: Option<String>,
    /// The client's secret (`client_secret_post`).
    client_secret: Option<String>,
    /// `urn:ietf:params:oauth:client-assertion-type:jwt-bearer` (`private_key_jwt`).
    client_assertion_type: Option<String>,
    /// The signed client assertion (`private_key_jwt`).
    client_assertion: Option<String>,
}

/// Body of `POST /oauth2/par` (RFC 9126 §2.1): the authorization request's parameters (as
/// for `/oauth2/auth`, a signed `request` object included), with the client's credentials
/// when it sends them in the body. `request_uri` is refused.
#[derive(ToSchema)]
pub struct PushedAuthorizationForm {
    /// The client; must be the authenticated one.
    client_id: Option<String>,
    /// `code`, `token`, `id_token` or a space-separated combination.
    response_type: Option<String>,
    /// One of the client's redirect URIs.
    redirect_uri: Option<String>,
    /// Space-separated scopes.
    scope: Option<String>,
    /// Opaque value returned to the client.
    state: Option<String>,
    /// OIDC nonce.
    nonce: Option<String>,
    /// `none`, `login`, `consent`.
    prompt: Option<String>,
    /// Seconds since the last authentication that are still acceptable.
    max_age: Option<String>,
    /// PKCE challenge (RFC 7636 §4.3).
    code_challenge: Option<String>,
    /// `S256`.
    code_challenge_method: Option<String>,
    /// `query`, `fragment` or `form_post`.
    response_mode: Option<String>,
    /// A request object (RFC 9101) carrying the parameters instead.
    request: Option<String>,
    /// The client's secret (`client_secret_post`).
    client_secret: Option<String>,
    /// `urn:ietf:params:oauth:client-assertion-type:jwt-bearer` (`private_key_jwt`).
    client_assertion_type: Option<String>,
    /// The signed client assertion (`private_key_jwt`).
    client_assertion: Option<String>,
}

/// Body of `POST /oauth2/device/verify`: the user code form and its confirmation.
#[derive(ToSchema)]
pub struct DeviceVerifyForm {
    /// What the user typed (case, dashes and spaces are ignored).
    user_code: Option<String>,
    /// The form's anti-CSRF value, equal to the page's signed cookie.
    csrf_token: Option<String>,
    /// `yes` once the user confirmed the client and scopes shown.
    confirm: Option<String>,
}

/// Body of `POST /oauth2/revoke` (RFC 7009 §2.1).
#[derive(ToSchema)]
pub struct RevokeRequestForm {
    /// The access or refresh token to revoke.
    token: Option<String>,
    /// `access_token` or `refresh_token`.
    token_type_hint: Option<String>,
    /// The client, when it does not authenticate with HTTP Basic.
    client_id: Option<String>,
    /// The client's secret (`client_secret_post`).
    client_secret: Option<String>,
}

/// Body of `POST /oauth2/introspect` (RFC 7662 §2.1).
#[derive(ToSchema)]
pub struct IntrospectRequestForm {
    /// The token to look at.
    token: Option<String>,
    /// Space-separated scopes the token must have been granted to count as active.
    scope: Option<String>,
    /// `access_token` or `refresh_token`.
    token_type_hint: Option<String>,
}

/// Parameters of `GET|POST /oauth2/auth` (RFC 6749 §4.1.1, OIDC Core §3.1.2.1), in the query or
/// (on `POST`) the form body, plus the verifiers the login and consent apps send the browser
/// back with.
#[derive(ToSchema)]
pub struct AuthorizeForm {
    /// The client.
    client_id: Option<String>,
    /// `code`, `token`, `id_token` or a space-separated combination.
    response_type: Option<String>,
    /// One of the client's redirect URIs.
    redirect_uri: Option<String>,
    /// Space-separated scopes.
    scope: Option<String>,
    /// Opaque value returned to the client.
    state: Option<String>,
    /// OIDC nonce.
    nonce: Option<String>,
    /// `none`, `login`, `consent`.
    prompt: Option<String>,
    /// Seconds since the last authentication that are still acceptable.
    max_age: Option<String>,
    /// PKCE challenge (RFC 7636 §4.3).
    code_challenge: Option<String>,
    /// `S256`.
    code_challenge_method: Option<String>,
    /// `query`, `fragment` or `form_post`.
    response_mode: Option<String>,
    /// Returned by the login app's accept or reject.
    login_verifier: Option<String>,
    /// Returned by the consent app's accept or reject.
    consent_verifier: Option<String>,
}

/// Body of `POST /userinfo` (OIDC Core §5.3.1; RFC 6750 §2.2).
#[derive(ToSchema)]
pub struct UserinfoForm {
    /// The access token, when not sent as `Authorization: Bearer`.
    access_token: Option<String>,
}

/// Body of `POST /oauth2/auth/sessions/login/revoke`, sent by the logout confirmation page.
#[derive(ToSchema)]
pub struct LogoutConfirmationForm {
    /// The token the confirmation page carries, bound to the browser's session.
    logout_confirmation: Option<String>,
}

/// Body of `POST /oauth2/sessions/logout` (OIDC RP-Initiated Logout 1.0 §2).
#[derive(ToSchema)]
pub struct EndSessionForm {
    /// An ID token this server issued to the client asking (RP-initiated logout).
    id_token_hint: Option<String>,
    /// Where the browser goes afterwards: one the hinted client registered.
    post_logout_redirect_uri: Option<String>,
    /// Returned with the browser to `post_logout_redirect_uri`.
    state: Option<String>,
}

/// Body of the demo login, consent and logout pages' `POST`s (the fields of their HTML forms).
#[derive(ToSchema)]
pub struct DemoForm {
    /// The challenge the page was shown for.
    challenge: Option<String>,
    /// The demo user's name (login page).
    username: Option<String>,
    /// The demo user's password (login page).
    password: Option<String>,
    /// Login and consent: `deny` refuses, anything else (or nothing) goes ahead. Logout:
    /// `accept` logs out, anything else keeps the session.
    action: Option<String>,
    /// Present when the user ticked "remember me".
    remember: Option<String>,
    /// A scope the user granted (consent page; repeated once per scope).
    grant_scope: Option<String>,
}
