//! The benchmark's client on the server under test: a confidential `client_credentials`
//! client created through the admin API, one access token issued for it, and the token and
//! introspection requests every wrk scenario at volume reuses.

use anyhow::{Context, bail};

use crate::backend::{SCOPE, basic_auth, check, issue_token};
use crate::server::Server;
use crate::wrk::Request;

/// The benchmark client and the requests built for it.
#[derive(Debug)]
pub struct Prepared {
    /// The client's id (the seeded rows' owner).
    pub client_id: String,
    /// `POST /oauth2/token` with the client's credentials.
    pub token: Request,
    /// `token` with a DPoP proof in every request, for the token endpoint the server advertises.
    pub token_dpop: Request,
    /// `POST /oauth2/introspect` of one valid access token.
    pub introspect: Request,
}

/// Creates the benchmark client, issues the token to introspect, and builds both requests.
pub async fn prepare(server: &Server, http: &reqwest::Client) -> anyhow::Result<Prepared> {
    let client_id = format!("bench-{}", uuid::Uuid::new_v4().simple());
    let client_secret = uuid::Uuid::new_v4().simple().to_string();
    create_client(http, &server.admin, &client_id, &client_secret).await?;
    let token = Request::FormPost {
        url: format!("{}/oauth2/token", server.public),
        body: format!("grant_type=client_credentials&scope={SCOPE}"),
        headers: vec![(
            "Authorization".to_owned(),
            basic_auth(&client_id, &client_secret),
        )],
    };
    let access_token = issue_token(http, &token).await?;
    let discovery = format!("{}/.well-known/openid-configuration", server.public);
    let token_dpop = crate::dpop::request(http, &token, &discovery).await?;
    let introspect = Request::FormPost {
        url: format!("{}/oauth2/introspect", server.admin),
        body: url::form_urlencoded::Serializer::new(String::new())
            .append_pair("token", &access_token)
            .finish(),
        headers: Vec::new(),
    };
    check(http, &introspect, Some(r#""active":true"#)).await?;
    Ok(Prepared {
        client_id,
        token,
        token_dpop,
        introspect,
    })
}

/// `POST /clients` on the admin port: a confidential `client_credentials` client.
async fn create_client(
    http: &reqwest::Client,
    admin: &str,
    client_id: &str,
    client_secret: &str,
) -> anyhow::Result<()> {
    let body = serde_json::json!({
        "client_id": client_id,
        "client_name": "oxydra-bench",
        "client_secret": client_secret,
        "grant_types": ["client_credentials"],
        "response_types": ["token"],
        "scope": SCOPE,
        "token_endpoint_auth_method": "client_secret_basic",
    });
    post_client(http, admin, &body).await
}

/// `POST /clients` on the admin port with `body`; an error unless it succeeds.
pub(crate) async fn post_client(
    http: &reqwest::Client,
    admin: &str,
    body: &serde_json::Value,
) -> anyhow::Result<()> {
    let response = http
        .post(format!("{admin}/clients"))
        .json(body)
        .send()
        .await
        .context("POST /clients")?;
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        bail!("POST /clients answered {status}: {text}");
    }
    Ok(())
}
