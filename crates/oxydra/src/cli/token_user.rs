//! `oxydra token user`: run the authorization code flow (RFC 6749 §4.1, with PKCE S256, RFC
//! 7636) as Hydra's `token user` does — a local callback server on 127.0.0.1, the authorization
//! URL printed for the user to open (never opened for them), and the tokens printed once the
//! browser comes back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::Args;
use oxydra_api::OauthTokenResponse;
use oxydra_api::client::{ClientCredentials, ClientOptions, PublicClient};
use oxydra_server::html::escape;
use tokio::sync::oneshot;
use url::Url;

use super::remote::{Format, PublicEndpoint, print_json, scopes};

/// How long the callback server may take to finish answering the browser after the result.
const DRAIN: Duration = Duration::from_secs(5);

/// Arguments of `token user`.
#[derive(Debug, Args)]
pub struct TokenUserArgs {
    /// Where the public API is.
    #[command(flatten)]
    pub endpoint: PublicEndpoint,
    /// The client logging the user in; it must allow the callback URL as a redirect URI.
    #[command(flatten)]
    pub client: PublicClientArgs,
    /// Port of the local callback server on 127.0.0.1 (0 picks a free one).
    #[arg(short = 'p', long, default_value_t = 4446)]
    pub port: u16,
    /// Scopes to request (comma- or space-separated, or repeated).
    #[arg(long, value_delimiter = ',', default_value = "openid,offline")]
    pub scope: Vec<String>,
    /// The redirect URI to send (default http://127.0.0.1:<port>/callback); the callback
    /// server answers on its path.
    #[arg(long, value_name = "URL")]
    pub redirect: Option<String>,
    /// OpenID Connect `prompt`, e.g. `login` or `consent`.
    #[arg(long)]
    pub prompt: Option<String>,
    /// OpenID Connect `max_age`: the longest time since the user last logged in, in seconds.
    #[arg(long, value_name = "SECONDS")]
    pub max_age: Option<u64>,
    /// How long to wait for the browser to come back, e.g. `90s` or `10m`.
    #[arg(long, default_value = "5m", value_parser = parse_timeout, value_name = "DURATION")]
    pub timeout: Duration,
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    match oxydra_server::config::parse_duration(s)? {
        d if d.is_zero() => Err("must be longer than 0".to_owned()),
        d => Ok(d),
    }
}

/// The client a user or device flow runs for: confidential with a secret
/// (`client_secret_basic`), public without (`token_endpoint_auth_method` `none`).
#[derive(Debug, Clone, Args)]
pub struct PublicClientArgs {
    /// Id of the OAuth 2.0 client.
    #[arg(long, env = "OAUTH2_CLIENT_ID", value_name = "ID")]
    pub client_id: String,
    /// Secret of that client (client_secret_basic). Omit it for a public client
    /// (token_endpoint_auth_method `none`).
    #[arg(
        long,
        env = "OAUTH2_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,
}

impl PublicClientArgs {
    /// The credentials to send, for a confidential client.
    pub fn credentials(&self) -> Option<ClientCredentials> {
        self.client_secret
            .as_deref()
            .map(|secret| ClientCredentials::new(&self.client_id, secret))
    }
}

/// What the callback needs to finish the flow.
struct Flow {
    api: PublicClient,
    client_id: String,
    credentials: Option<ClientCredentials>,
    redirect: String,
    state: String,
    verifier: String,
    /// Taken by the first callback; the flow has one result.
    done: Mutex<Option<oneshot::Sender<Result<OauthTokenResponse, String>>>>,
}

/// Runs the flow and prints the tokens.
pub async fn run(
    args: TokenUserArgs,
    options: ClientOptions,
    format: Format,
) -> anyhow::Result<()> {
    let endpoint = args.endpoint.clone().resolve()?;
    let api = PublicClient::new(&endpoint, options)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
    let port = listener.local_addr()?.port();
    let redirect = args
        .redirect
        .clone()
        .unwrap_or_else(|| format!("http://127.0.0.1:{port}/callback"));
    let path = Url::parse(&redirect)
        .with_context(|| format!("--redirect {redirect:?} is not a URL"))?
        .path()
        .to_owned();
    let verifier = random_token(32)?;
    let state = random_token(16)?;
    let authorize = authorization_url(api.endpoint(), &args, &redirect, &state, &verifier)?;
    let message = format!(
        "Callback listening on http://127.0.0.1:{port}{path}\n\
         Open this URL in a browser to log in:\n\n{authorize}\n"
    );
    match format {
        Format::Human => println!("{message}"),
        Format::Json => eprintln!("{message}"),
    }
    let (tx, rx) = oneshot::channel();
    let credentials = args.client.credentials();
    let flow = Arc::new(Flow {
        api,
        client_id: args.client.client_id,
        credentials,
        redirect,
        state,
        verifier,
        done: Mutex::new(Some(tx)),
    });
    let app = Router::new().route(&path, get(callback)).with_state(flow);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let outcome = tokio::time::timeout(args.timeout, rx).await;
    let _ = stop.send(());
    let _ = tokio::time::timeout(DRAIN, server).await;
    let tokens = match outcome {
        Err(_) => bail!(
            "the browser did not come back to the callback within {:?} (--timeout)",
            args.timeout
        ),
        Ok(Err(_)) => bail!("the callback server stopped before the flow finished"),
        Ok(Ok(result)) => result.map_err(|e| anyhow!("{e}"))?,
    };
    match format {
        Format::Json => print_json(format, &tokens)?,
        Format::Human => print_tokens(&tokens),
    }
    Ok(())
}

/// `<endpoint>/oauth2/auth?response_type=code&…` with state, nonce and the S256 challenge.
fn authorization_url(
    endpoint: &Url,
    args: &TokenUserArgs,
    redirect: &str,
    state: &str,
    verifier: &str,
) -> anyhow::Result<Url> {
    let base = endpoint.as_str().trim_end_matches('/');
    let mut url = Url::parse(&format!("{base}{}", oxydra_api::paths::OAUTH2_AUTH))?;
    let challenge = URL_SAFE_NO_PAD.encode(digest(&SHA256, verifier.as_bytes()));
    let nonce = random_token(16)?;
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", &args.client.client_id)
            .append_pair("redirect_uri", redirect)
            .append_pair("scope", &scopes(&args.scope).join(" "))
            .append_pair("state", state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        if let Some(prompt) = &args.prompt {
            query.append_pair("prompt", prompt);
        }
        if let Some(max_age) = args.max_age {
            query.append_pair("max_age", &max_age.to_string());
        }
    }
    Ok(url)
}

/// `GET <redirect path>`: checks `state`, exchanges the code, answers the browser and hands the
/// result to [`run`]. Later requests find the flow finished.
async fn callback(
    State(flow): State<Arc<Flow>>,
    RawQuery(query): RawQuery,
) -> (StatusCode, Html<String>) {
    let Some(done) = flow.done.lock().ok().and_then(|mut d| d.take()) else {
        return page(
            StatusCode::CONFLICT,
            "Already done",
            "This login has already finished. You can close this window.",
        );
    };
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let get = |name: &str| params.get(name).map(String::as_str).unwrap_or("");
    let result = if !get("error").is_empty() {
        let mut message = format!("the authorization server answered {}", get("error"));
        for detail in ["error_description", "error_hint"] {
            if !get(detail).is_empty() {
                message.push_str(&format!(": {}", get(detail)));
            }
        }
        Err(message)
    } else if get("state") != flow.state {
        Err(
            "the callback's state does not match the one sent; the login was not finished"
                .to_owned(),
        )
    } else if get("code").is_empty() {
        Err("the callback carries neither a code nor an error".to_owned())
    } else {
        flow.api
            .authorization_code(
                &flow.client_id,
                flow.credentials.as_ref(),
                get("code"),
                &flow.redirect,
                &flow.verifier,
            )
            .await
            .map_err(|e| format!("the token request failed: {e}"))
    };
    let response = match &result {
        Ok(_) => page(
            StatusCode::OK,
            "Logged in",
            "The tokens are printed in the terminal. You can close this window.",
        ),
        Err(e) => page(StatusCode::BAD_REQUEST, "Login failed", e),
    };
    let _ = done.send(result);
    response
}

fn page(status: StatusCode, title: &str, text: &str) -> (StatusCode, Html<String>) {
    let (title, text) = (escape(title), escape(text));
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         </head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>"
    );
    (status, Html(html))
}

/// One line per token, then the grant's scope and lifetime.
pub(super) fn print_tokens(tokens: &OauthTokenResponse) {
    println!("access_token: {}", tokens.access_token);
    if let Some(refresh) = &tokens.refresh_token {
        println!("refresh_token: {refresh}");
    }
    if let Some(id) = &tokens.id_token {
        println!("id_token: {id}");
    }
    println!("scope: {}", tokens.scope);
    println!("expires_in: {}", tokens.expires_in);
    println!("token_type: {}", tokens.token_type);
}

/// `n` random bytes, base64url without padding (RFC 7636 §4.1: 32 bytes give 43 characters).
fn random_token(n: usize) -> anyhow::Result<String> {
    let mut bytes = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| anyhow!("the operating system's random generator failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::token::TokenCommand;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> TokenUserArgs {
        let mut argv = vec!["oxydra", "token", "user"];
        argv.extend(args);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Token(token) => match token.command {
                TokenCommand::User(user) => user,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults_follow_hydra() {
        let args = parse(&["--client-id", "app"]);
        assert_eq!(args.port, 4446);
        assert_eq!(scopes(&args.scope), ["openid", "offline"]);
        assert_eq!(args.timeout, Duration::from_secs(300));
        assert!(args.client.client_secret.is_none() && args.redirect.is_none());
        let args = parse(&[
            "--client-id",
            "app",
            "-p",
            "0",
            "--timeout",
            "90s",
            "--scope",
            "a b",
        ]);
        assert_eq!((args.port, args.timeout), (0, Duration::from_secs(90)));
        assert_eq!(scopes(&args.scope), ["a", "b"]);
        assert!(
            Cli::try_parse_from([
                "oxydra",
                "token",
                "user",
                "--client-id",
                "a",
                "--timeout",
                "0"
            ])
            .is_err()
        );
    }

    #[test]
    fn the_authorization_url_carries_state_and_an_s256_challenge() {
        let args = parse(&["--client-id", "app", "--prompt", "login", "--max-age", "60"]);
        let endpoint = Url::parse("http://127.0.0.1:4444/base/").unwrap();
        let verifier = random_token(32).unwrap();
        assert_eq!(verifier.len(), 43);
        let url = authorization_url(
            &endpoint,
            &args,
            "http://127.0.0.1:1/callback",
            "st4te-st4te",
            &verifier,
        )
        .unwrap();
        assert_eq!(url.path(), "/base/oauth2/auth");
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["client_id"], "app");
        assert_eq!(q["scope"], "openid offline");
        assert_eq!(q["state"], "st4te-st4te");
        assert_eq!(q["prompt"], "login");
        assert_eq!(q["max_age"], "60");
        assert_eq!(q["code_challenge_method"], "S256");
        let expected = URL_SAFE_NO_PAD.encode(digest(&SHA256, verifier.as_bytes()));
        assert_eq!(q["code_challenge"], expected);
        assert!(q["nonce"].len() >= 8);
    }
}
