//! [`AdminClient`]: the admin port's `/clients`, `/keys`, `/policies`, `/oauth2/introspect`,
//! `/oauth2/flush`, `/health/*` and `/version`, optionally with a bearer token.

use reqwest::header::LINK;
use reqwest::{Method, Response, Url};
use serde::Serialize;

use super::{ClientError, ClientOptions, Http, decode, execute};
use crate::paths::{self, DEFAULT_PAGE_SIZE};
use crate::{
    FlushInactiveOAuth2TokensRequest, HealthStatus, JSONWebKey, JSONWebKeySet,
    JsonWebKeySetGeneratorRequest, OAuth2Client, OAuth2TokenIntrospection, Policy, Version,
};
use serde::de::DeserializeOwned;

/// One page of `GET /clients`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientPage {
    /// The clients on this page, in server order (Oxydra: by `client_id`).
    pub clients: Vec<OAuth2Client>,
    /// Whether the `Link` header announced a `rel="next"` page.
    pub has_next: bool,
}

/// One page of `GET /policies`.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyPage {
    /// The policies on this page, ordered by id.
    pub policies: Vec<Policy>,
    /// Whether the `Link` header announced a `rel="next"` page.
    pub has_next: bool,
}

/// A client for the admin port: `/clients`, token introspection and flush, `/health/*` and
/// `/version`.
#[derive(Debug, Clone)]
pub struct AdminClient {
    http: Http,
}

impl AdminClient {
    /// Builds a client for the admin API at `endpoint` (e.g. `http://127.0.0.1:4445`; a path
    /// prefix such as `https://proxy/hydra-admin` is kept).
    pub fn new(endpoint: &str, opts: ClientOptions) -> Result<Self, ClientError> {
        Ok(Self {
            http: Http::new(endpoint, opts)?,
        })
    }

    /// The same client, sending `Authorization: Bearer <token>` with every request: what an
    /// admin API guarded by policies (`ADMIN_ACCESS_CONTROL=policies`) requires.
    pub fn with_access_token(mut self, token: impl Into<String>) -> Self {
        self.http.bearer = Some(super::Bearer(token.into()));
        self
    }

    /// The base URL requests are made against.
    pub fn endpoint(&self) -> &Url {
        &self.http.base
    }

    /// `POST /clients`: registers a client; the answer carries the plaintext secret this once.
    pub async fn create_client(&self, client: &OAuth2Client) -> Result<OAuth2Client, ClientError> {
        let response = self.send(Method::POST, &["clients"], Some(client)).await?;
        decode(response).await
    }

    /// `GET /clients/{id}`: one client, without its secret.
    pub async fn get_client(&self, id: &str) -> Result<OAuth2Client, ClientError> {
        let response = self.send::<()>(Method::GET, &["clients", id], None).await?;
        decode(response).await
    }

    /// `GET /clients?limit=&offset=`: one page of clients; `None` uses the server defaults.
    pub async fn list_clients(
        &self,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<ClientPage, ClientError> {
        let (clients, has_next) = self.page("clients", limit, offset).await?;
        Ok(ClientPage { clients, has_next })
    }

    /// `GET /<collection>?limit=&offset=`: the rows and whether a next page exists.
    async fn page<T: DeserializeOwned>(
        &self,
        collection: &str,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<(Vec<T>, bool), ClientError> {
        let query = [
            ("limit", limit.unwrap_or(DEFAULT_PAGE_SIZE)),
            ("offset", offset.unwrap_or(0)),
        ];
        let request = self.http.request(Method::GET, &[collection]).query(&query);
        let response = execute(request).await?;
        let has_next = response
            .headers()
            .get_all(LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(link_has_next);
        Ok((decode(response).await?, has_next))
    }

    /// `POST /policies`: stores a policy (an empty id gets a UUID) and returns it.
    pub async fn create_policy(&self, policy: &Policy) -> Result<Policy, ClientError> {
        let response = self.send(Method::POST, &["policies"], Some(policy)).await?;
        decode(response).await
    }

    /// `GET /policies/{id}`.
    pub async fn get_policy(&self, id: &str) -> Result<Policy, ClientError> {
        let response = self
            .send::<()>(Method::GET, &["policies", id], None)
            .await?;
        decode(response).await
    }

    /// `GET /policies?limit=&offset=`: one page of policies ordered by id; `None` uses the
    /// server defaults.
    pub async fn list_policies(
        &self,
        limit: Option<u32>,
        offset: Option<u32>,
    ) -> Result<PolicyPage, ClientError> {
        let (policies, has_next) = self.page("policies", limit, offset).await?;
        Ok(PolicyPage { policies, has_next })
    }

    /// `PUT /policies/{id}`: replaces the policy (`policy.id` must equal `id`).
    pub async fn update_policy(&self, id: &str, policy: &Policy) -> Result<Policy, ClientError> {
        let response = self
            .send(Method::PUT, &["policies", id], Some(policy))
            .await?;
        decode(response).await
    }

    /// `DELETE /policies/{id}`.
    pub async fn delete_policy(&self, id: &str) -> Result<(), ClientError> {
        self.send::<()>(Method::DELETE, &["policies", id], None)
            .await?;
        Ok(())
    }

    /// `PUT /clients/{id}`: replaces the client (the path id wins over the body's); the secret
    /// is kept unless `client.client_secret` is set, and echoed only then.
    pub async fn update_client(
        &self,
        id: &str,
        client: &OAuth2Client,
    ) -> Result<OAuth2Client, ClientError> {
        let response = self
            .send(Method::PUT, &["clients", id], Some(client))
            .await?;
        decode(response).await
    }

    /// `DELETE /clients/{id}`: removes the client (Oxydra answers 404 for an unknown id).
    pub async fn delete_client(&self, id: &str) -> Result<(), ClientError> {
        self.send::<()>(Method::DELETE, &["clients", id], None)
            .await?;
        Ok(())
    }

    /// `POST /keys/{set}`: generates a key pair (or an HMAC key) into `set`.
    pub async fn create_key_set(
        &self,
        set: &str,
        request: &JsonWebKeySetGeneratorRequest,
    ) -> Result<JSONWebKeySet, ClientError> {
        let response = self
            .send(Method::POST, &["keys", set], Some(request))
            .await?;
        decode(response).await
    }

    /// `GET /keys/{set}` or, with `kid`, `GET /keys/{set}/{kid}` (a set holding that key).
    pub async fn get_keys(
        &self,
        set: &str,
        kid: Option<&str>,
    ) -> Result<JSONWebKeySet, ClientError> {
        let response = match kid {
            Some(kid) => {
                self.send::<()>(Method::GET, &["keys", set, kid], None)
                    .await?
            }
            None => self.send::<()>(Method::GET, &["keys", set], None).await?,
        };
        decode(response).await
    }

    /// `PUT /keys/{set}/{kid}`: inserts or replaces one key (its `kid` must equal `kid`).
    pub async fn update_key(&self, set: &str, key: &JSONWebKey) -> Result<JSONWebKey, ClientError> {
        let response = self
            .send(Method::PUT, &["keys", set, &key.kid], Some(key))
            .await?;
        decode(response).await
    }

    /// `DELETE /keys/{set}` or, with `kid`, `DELETE /keys/{set}/{kid}`.
    pub async fn delete_keys(&self, set: &str, kid: Option<&str>) -> Result<(), ClientError> {
        match kid {
            Some(kid) => {
                self.send::<()>(Method::DELETE, &["keys", set, kid], None)
                    .await?
            }
            None => {
                self.send::<()>(Method::DELETE, &["keys", set], None)
                    .await?
            }
        };
        Ok(())
    }

    /// `POST /oauth2/introspect` (RFC 7662 §2.1): whether `token` is active, and if so what it
    /// grants. `scope` (space-separated) must all be granted for the token to count as active.
    /// An inactive token is an answer (`active: false`), not an error.
    pub async fn introspect(
        &self,
        token: &str,
        scope: Option<&str>,
    ) -> Result<OAuth2TokenIntrospection, ClientError> {
        let mut form = vec![("token", token)];
        if let Some(scope) = scope.filter(|s| !s.is_empty()) {
            form.push(("scope", scope));
        }
        let request = self
            .http
            .route(Method::POST, paths::OAUTH2_INTROSPECT)
            .form(&form);
        decode(execute(request).await?).await
    }

    /// `POST /oauth2/flush`: deletes expired access tokens issued before `notAfter` (default
    /// now, `shared/spec/behaviour.md` §11).
    pub async fn flush_inactive_tokens(
        &self,
        request: &FlushInactiveOAuth2TokensRequest,
    ) -> Result<(), ClientError> {
        let request = self
            .http
            .route(Method::POST, paths::OAUTH2_FLUSH)
            .json(request);
        execute(request).await?;
        Ok(())
    }

    /// `GET /health/alive`: whether the process serves requests.
    pub async fn health_alive(&self) -> Result<HealthStatus, ClientError> {
        let response = self
            .send::<()>(Method::GET, &["health", "alive"], None)
            .await?;
        decode(response).await
    }

    /// `GET /health/ready`: whether the server can reach its database (503 is an `Api` error).
    pub async fn health_ready(&self) -> Result<HealthStatus, ClientError> {
        let response = self
            .send::<()>(Method::GET, &["health", "ready"], None)
            .await?;
        decode(response).await
    }

    /// `GET /version`: the server's build version.
    pub async fn version(&self) -> Result<Version, ClientError> {
        let response = self.send::<()>(Method::GET, &["version"], None).await?;
        decode(response).await
    }

    /// Sends one request with an optional JSON body.
    async fn send<B: Serialize>(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<&B>,
    ) -> Result<Response, ClientError> {
        let mut request = self.http.request(method, segments);
        if let Some(body) = body {
            request = request.json(body);
        }
        execute(request).await
    }
}

/// Whether an RFC 8288 `Link` header value has a link with relation type `next`.
fn link_has_next(value: &str) -> bool {
    value.split(',').any(|link| {
        link.split(';').skip(1).any(|param| {
            let Some((name, rels)) = param.split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("rel")
                && rels
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_next_is_detected() {
        assert!(link_has_next(
            r#"</clients?limit=2&offset=0>; rel="first",</clients?limit=2&offset=2>; rel="next""#
        ));
        assert!(link_has_next("</clients?offset=2>; rel=next"));
        assert!(link_has_next(r#"</x>; title="t"; rel="prev next""#));
        assert!(!link_has_next(
            r#"</clients?limit=2&offset=0>; rel="first""#
        ));
        assert!(!link_has_next(""));
    }
}
