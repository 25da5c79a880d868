//! OpenID Connect on top of the OAuth 2.0 core: ID tokens, subject identifiers, the
//! `id_token_hint` check and the UserInfo response (OIDC Core 1.0).

pub mod id_token;
pub mod subject;
pub mod userinfo;
