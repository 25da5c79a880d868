//! [`PublicClient`]: the public port's token endpoint (RFC 6749 §3.2) and revocation
//! endpoint (RFC 7009), authenticating as a client with `client_secret_basic`, and the
//! userinfo endpoint (OIDC Core §5.3), authenticating with a bearer access token, and
//! the discovery document (OIDC Discovery 1.0 §4).

use std::fmt;

use reqwest::{Method, RequestBuilder, Url};
use url::form_urlencoded;

use super::{ClientError, ClientOptions, Http, decode, execute};
use crate::paths;
use crate::{DeviceAuthorization, OauthTokenResponse, UserinfoResponse, WellKnown};

/// What `/userinfo` answered: JSON claims, or a signed JWT when the client registered
/// `userinfo_signed_response_alg=RS256` (verify it with the server's `/.well-known/jwks.json`).
#[derive(Debug, Clone, PartialEq)]
pub enum Userinfo {
    /// An `application/json` answer.
    Claims(Box<UserinfoResponse>),
    /// An `application/jwt` answer: the compact JWS, unverified.
    Signed(String),
}

/// A client id and secret, sent as HTTP Basic credentials (`client_secret_basic`).
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The client id.
    pub id: String,
    /// The client secret; never printed by `Debug`.
    pub secret: String,
}

impl ClientCredentials {
    /// Credentials for client `id` with `secret`.
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            secret: secret.into(),
        }
    }

    /// RFC 6749 §2.3.1: id and secret are each `application/x-www-form-urlencoded` before they
    /// become the Basic user and password, so a `:` (or any non-ASCII) in either survives.
    /// `reqwest`'s `basic_auth` base64-encodes what it is given and nothing more.
    fn form_encoded(&self) -> (String, String) {
        let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        (encode(&self.id), encode(&self.secret))
    }

    /// Adds the `Authorization: Basic …` header (marked sensitive) to `request`.
    fn authorize(&self, request: RequestBuilder) -> RequestBuilder {
        let (id, secret) = self.form_encoded();
        request.basic_auth(id, Some(secret))
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// A client for the public port's `/oauth2/token`, `/oauth2/revoke` and discovery document.
#[derive(Debug, Clone)]
pub struct PublicClient {
    http: Http,
}

impl PublicClient {
    /// Builds a client for the public API at `endpoint` (e.g. `http://127.0.0.1:4444`; a path
    /// prefix is kept).
    pub fn new(endpoint: &str, opts: ClientOptions) -> Result<Self, ClientError> {
        Ok(Self {
            http: Http::new(endpoint, opts)?,
        })
    }

    /// The base URL requests are made against.
    pub fn endpoint(&self) -> &Url {
        &self.http.base
    }

    /// `POST /oauth2/token` with `grant_type=client_credentials` (RFC 6749 §4.4.2), asking for
    /// `scope` (each item one scope; none sends no `scope` parameter).
    pub async fn client_credentials(
        &self,
        credentials: &ClientCredentials,
        scope: &[String],
    ) -> Result<OauthTokenResponse, ClientError> {
        let scope = scope.join(" ");
        let mut form = vec![("grant_type", "client_credentials")];
        if !scope.is_empty() {
            form.push(("scope", &scope));
        }
        let request = self.http.route(Method::POST, paths::OAUTH2_TOKEN);
        let request = credentials.authorize(request).form(&form);
        decode(execute(request).await?).await
    }

    /// `POST /oauth2/token` with `grant_type=authorization_code` (RFC 6749 §4.1.3) and the PKCE
    /// `code_verifier` (RFC 7636 §4.5). A confidential client authenticates with
    /// `credentials` (`client_secret_basic`); a public one (`None`) sends `client_id` in the
    /// body (`none`, RFC 6749 §3.2.1).
    pub async fn authorization_code(
        &self,
        client_id: &str,
        credentials: Option<&ClientCredentials>,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
    ) -> Result<OauthTokenResponse, ClientError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
        ];
        let request = self.http.route(Method::POST, paths::OAUTH2_TOKEN);
        let request = as_client(request, &mut form, client_id, credentials);
        decode(execute(request.form(&form)).await?).await
    }

    /// `POST /oauth2/device/auth` (RFC 8628 §3.1), asking for `scope`; the client
    /// authenticates as in [`Self::authorization_code`].
    pub async fn device_authorization(
        &self,
        client_id: &str,
        credentials: Option<&ClientCredentials>,
        scope: &[String],
    ) -> Result<DeviceAuthorization, ClientError> {
        let scope = scope.join(" ");
        let mut form = Vec::new();
        if !scope.is_empty() {
            form.push(("scope", scope.as_str()));
        }
        let request = self.http.route(Method::POST, paths::OAUTH2_DEVICE_AUTH);
        let request = as_client(request, &mut form, client_id, credentials);
        decode(execute(request.form(&form)).await?).await
    }

    /// One poll of `POST /oauth2/token` with the device grant (RFC 8628 §3.4). While the user
    /// has not finished, the answer is a [`ClientError::Api`] with `authorization_pending` or
    /// `slow_down` (§3.5); the caller waits and polls again.
    pub async fn device_token(
        &self,
        client_id: &str,
        credentials: Option<&ClientCredentials>,
        device_code: &str,
    ) -> Result<OauthTokenResponse, ClientError> {
        let mut form = vec![
            ("grant_type", DEVICE_CODE_GRANT),
            ("device_code", device_code),
        ];
        let request = self.http.route(Method::POST, paths::OAUTH2_TOKEN);
        let request = as_client(request, &mut form, client_id, credentials);
        decode(execute(request.form(&form)).await?).await
    }

    /// `GET /.well-known/openid-configuration`: the OpenID Provider metadata.
    pub async fn discovery(&self) -> Result<WellKnown, ClientError> {
        let request = self
            .http
            .route(Method::GET, paths::WELL_KNOWN_OPENID_CONFIGURATION);
        decode(execute(request).await?).await
    }

    /// `POST /oauth2/revoke` (RFC 7009 §2.1): revokes `token` (an access or refresh token) and
    /// every token of its grant. A token that is unknown, already revoked or another client's
    /// is not an error (§2.2).
    pub async fn revoke_token(
        &self,
        credentials: &ClientCredentials,
        token: &str,
    ) -> Result<(), ClientError> {
        let request = self.http.route(Method::POST, paths::OAUTH2_REVOKE);
        let request = credentials.authorize(request).form(&[("token", token)]);
        execute(request).await?;
        Ok(())
    }
}

/// RFC 8628 §3.4's `grant_type`.
const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A confidential client authenticates with `credentials` (`client_secret_basic`); a public one
/// (`None`) sends `client_id` in the body (`none`, RFC 6749 §3.2.1).
fn as_client<'a>(
    request: RequestBuilder,
    form: &mut Vec<(&'a str, &'a str)>,
    client_id: &'a str,
    credentials: Option<&ClientCredentials>,
) -> RequestBuilder {
    match credentials {
        Some(credentials) => credentials.authorize(request),
        None => {
            form.push(("client_id", client_id));
            request
        }
    }
}

impl PublicClient {
    /// `GET /userinfo` with `Authorization: Bearer <access_token>` (RFC 6750 §2.1).
    pub async fn userinfo(&self, access_token: &str) -> Result<Userinfo, ClientError> {
        let request = self
            .http
            .route(Method::GET, paths::USERINFO)
            .bearer_auth(access_token);
        let response = execute(request).await?;
        let is_jwt = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/jwt"));
        if is_jwt {
            Ok(Userinfo::Signed(response.text().await?))
        } else {
            decode(response)
                .await
                .map(|claims| Userinfo::Claims(Box::new(claims)))
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::AUTHORIZATION;

    use super::*;

    #[test]
    fn credentials_are_form_url_encoded_before_base64() {
        let credentials = ClientCredentials::new("my client:1", "p@ss+wörd%");
        assert_eq!(
            credentials.form_encoded(),
            (
                "my+client%3A1".to_owned(),
                "p%40ss%2Bw%C3%B6rd%25".to_owned()
            )
        );
        let request = credentials
            .authorize(reqwest::Client::new().post("http://127.0.0.1:1/oauth2/token"))
            .build()
            .unwrap();
        let header = request.headers().get(AUTHORIZATION).unwrap();
        assert!(header.is_sensitive());
        // base64("my+client%3A1:p%40ss%2Bw%C3%B6rd%25")
        assert_eq!(
            header.to_str().unwrap(),
            "Basic bXkrY2xpZW50JTNBMTpwJTQwc3MlMkJ3JUMzJUI2cmQlMjU="
        );
    }

    #[test]
    fn debug_redacts_the_secret() {
        let text = format!("{:?}", ClientCredentials::new("id", "hunter22"));
        assert!(text.contains("id") && !text.contains("hunter22"), "{text}");
    }
}
