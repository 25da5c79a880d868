//! OpenID Connect on top of the OAuth 2.0 core (OIDC Core 1.0, OIDC Discovery 1.0): what the
//! server advertises, ID tokens, subject identifiers, the `id_token_hint` check and the UserInfo
//! response.

pub mod claims;
pub mod discovery;
pub mod id_token;
pub mod logout_token;
pub mod subject;
pub mod userinfo;
