//! OpenID Connect (OIDC Core 1.0, OIDC Discovery 1.0): what the server advertises and issues on
//! top of OAuth 2.0.

pub mod discovery;
