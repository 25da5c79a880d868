//! `oxydra token client|user|device|introspect|revoke|flush`: get, inspect, revoke and clean up OAuth 2.0
//! tokens through a running server, with Hydra 1.0.0-beta's flag names
//! (`shared/spec/behaviour.md` §1.2). `client` and `revoke` call the public API as an OAuth 2.0
//! client; `introspect` and `flush` call the admin API.

use clap::{Args, Subcommand};
use oxydra_api::FlushInactiveOAuth2TokensRequest;
use oxydra_api::client::{ClientCredentials, PublicClient};

use super::remote::{AdminEndpoint, ConnectionArgs, Format, PublicEndpoint, print_json, scopes};

/// Help section of the flags every `token` command accepts.
const HEADING: &str = "Connection options";

/// Arguments of `oxydra token`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
                  export HYDRA_URL=http://127.0.0.1:4444 HYDRA_ADMIN_URL=http://127.0.0.1:4445\n  \
                  export OAUTH2_CLIENT_ID=my-service OAUTH2_CLIENT_SECRET=its-secret\n  \
                  token=$(oxydra token client --scope read,write)\n  \
                  oxydra token introspect \"$token\"\n  \
                  oxydra token revoke \"$token\"\n  \
                  oxydra token flush --not-after 2026-01-01T00:00:00Z")]
pub struct TokenArgs {
    /// TLS, proxy and output flags.
    #[command(flatten, next_help_heading = HEADING)]
    pub connection: ConnectionArgs,
    /// The operation.
    #[command(subcommand)]
    pub command: TokenCommand,
}

/// The token operations.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Get an access token with the client_credentials grant (POST /oauth2/token on the public
    /// API) and print it.
    #[command(
        long_about = "Get an access token with the client_credentials grant (POST /oauth2/token \
                      on the public API) and print it.\n\n\
                      The client authenticates with client_secret_basic, so it must be \
                      registered with that auth method and the client_credentials grant type, \
                      and every requested scope must be one of its scopes. Human output is the \
                      access token alone on one line, so `token=$(oxydra token client ...)` \
                      works; --format json (or -v) prints the whole token response."
    )]
    Client(TokenClientArgs),
    /// Ask the admin API whether a token is active (POST /oauth2/introspect) and print the
    /// answer as JSON.
    #[command(
        long_about = "Ask the admin API whether a token is active (POST /oauth2/introspect, \
                      RFC 7662) and print the answer as JSON: pretty in human output, one line \
                      with --format json.\n\n\
                      An inactive token (unknown, expired, revoked, or lacking a --scope) is an \
                      answer, not an error: the output is {\"active\": false} and the exit \
                      status is 0."
    )]
    Introspect(IntrospectArgs),
    /// Revoke an access or refresh token (POST /oauth2/revoke on the public API), as the client
    /// it was issued to.
    #[command(
        long_about = "Revoke an access or refresh token (POST /oauth2/revoke on the public API, \
                      RFC 7009), as the client it was issued to. Every token of the same grant \
                      is revoked with it.\n\n\
                      As RFC 7009 requires, a token that is unknown, already revoked or issued \
                      to another client is not an error. Human output is one confirmation line; \
                      --format json prints nothing."
    )]
    Revoke(RevokeArgs),
    /// Delete expired access tokens from the database (POST /oauth2/flush on the admin API).
    #[command(
        long_about = "Delete expired access tokens from the database (POST /oauth2/flush on the \
                      admin API). Only tokens issued before --not-after (default: now) are \
                      deleted; refresh tokens and consent data are kept. Human output is one \
                      confirmation line; --format json prints nothing."
    )]
    Flush(FlushArgs),
    /// Log a user in with the authorization code flow: start a callback server on 127.0.0.1,
    /// print the authorization URL to open in a browser, and print the tokens it brings back.
    #[command(
        long_about = "Log a user in with the authorization code flow (with PKCE S256), as \
                      Hydra's `token user`: start a callback server on 127.0.0.1:<--port> \
                      (0 picks a free port), print the authorization URL to open in a browser \
                      (nothing is opened for you), wait for the browser to come back (at most \
                      --timeout), exchange the code at /oauth2/token and print the tokens: one \
                      line per token in human output, the token response with --format json \
                      (the URL then goes to stderr).\n\n\
                      The client must list the callback (default \
                      http://127.0.0.1:<port>/callback, or --redirect) among its redirect URIs. \
                      With --client-secret it authenticates with client_secret_basic; without, \
                      it is a public client (token_endpoint_auth_method none)."
    )]
    User(super::token_user::TokenUserArgs),
    /// Authorize this terminal as a device (RFC 8628): print where to go and the code to
    /// enter there, wait until a user approves it in a browser, and print the tokens.
    #[command(
        long_about = "Authorize this terminal as a device with the device authorization grant \
                      (RFC 8628): ask POST /oauth2/device/auth for a device code, print the \
                      verification URI and the user code to enter there (in a browser, on any \
                      machine), poll POST /oauth2/token at the announced interval (5 s more \
                      after each slow_down) until the user approves or denies it or the code \
                      expires, and print the tokens: one line per token in human output, the \
                      token response with --format json (the instructions then go to \
                      stderr).\n\n\
                      The client must have the urn:ietf:params:oauth:grant-type:device_code \
                      grant type. With --client-secret it authenticates with \
                      client_secret_basic; without, it is a public client \
                      (token_endpoint_auth_method none)."
    )]
    Device(super::token_device::TokenDeviceArgs),
}

/// The OAuth 2.0 client a public-API call authenticates as (client_secret_basic).
#[derive(Debug, Clone, Args)]
pub struct CredentialArgs {
    /// Id of the OAuth 2.0 client to authenticate as.
    #[arg(long, env = "OAUTH2_CLIENT_ID", value_name = "ID")]
    pub client_id: String,
    /// Secret of that client.
    #[arg(
        long,
        env = "OAUTH2_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub client_secret: String,
}

impl CredentialArgs {
    /// The credentials the HTTP client sends.
    fn credentials(&self) -> ClientCredentials {
        ClientCredentials::new(&self.client_id, &self.client_secret)
    }
}

/// Arguments of `token client`.
#[derive(Debug, Args)]
pub struct TokenClientArgs {
    /// Where the public API is.
    #[command(flatten)]
    pub endpoint: PublicEndpoint,
    /// The client asking for the token.
    #[command(flatten)]
    pub credentials: CredentialArgs,
    /// Scopes to request (comma- or space-separated, or repeated), e.g. `read,write`.
    #[arg(long, value_delimiter = ',')]
    pub scope: Vec<String>,
    /// Print the whole token response as pretty JSON, not just the access token.
    #[arg(short = 'v', long)]
    pub verbose: bool,
}

/// Arguments of `token introspect`.
#[derive(Debug, Args)]
pub struct IntrospectArgs {
    /// The access or refresh token.
    pub token: String,
    /// Where the admin API is.
    #[command(flatten)]
    pub endpoint: AdminEndpoint,
    /// Scopes the token must have been granted to count as active (comma- or space-separated,
    /// or repeated).
    #[arg(long, value_delimiter = ',')]
    pub scope: Vec<String>,
}

/// Arguments of `token revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The access or refresh token.
    pub token: String,
    /// Where the public API is.
    #[command(flatten)]
    pub endpoint: PublicEndpoint,
    /// The client the token was issued to.
    #[command(flatten)]
    pub credentials: CredentialArgs,
}

/// Arguments of `token flush`.
#[derive(Debug, Args)]
pub struct FlushArgs {
    /// Where the admin API is.
    #[command(flatten)]
    pub endpoint: AdminEndpoint,
    /// Keep tokens issued at or after this RFC 3339 instant, e.g. 2026-01-01T00:00:00Z
    /// (default: now).
    #[arg(long, value_name = "RFC3339")]
    pub not_after: Option<String>,
}

/// Runs one `token` operation.
pub async fn run(args: TokenArgs) -> anyhow::Result<()> {
    let options = args.connection.options();
    let format = args.connection.format;
    match args.command {
        TokenCommand::Client(client) => {
            let api = PublicClient::new(&client.endpoint.resolve()?, options)?;
            let scope = scopes(&client.scope);
            let token = api
                .client_credentials(&client.credentials.credentials(), &scope)
                .await?;
            match (format, client.verbose) {
                (Format::Human, false) => println!("{}", token.access_token),
                _ => print_json(format, &token)?,
            }
        }
        TokenCommand::Introspect(introspect) => {
            let api = introspect
                .endpoint
                .connect(options, oxydra_api::scopes::INTROSPECT)
                .await?;
            let scope = scopes(&introspect.scope).join(" ");
            let answer = api.introspect(&introspect.token, Some(&scope)).await?;
            print_json(format, &answer)?;
        }
        TokenCommand::Revoke(revoke) => {
            let api = PublicClient::new(&revoke.endpoint.resolve()?, options)?;
            api.revoke_token(&revoke.credentials.credentials(), &revoke.token)
                .await?;
            if format == Format::Human {
                println!("OAuth 2.0 token revoked");
            }
        }
        TokenCommand::User(user) => super::token_user::run(user, options, format).await?,
        TokenCommand::Device(device) => {
            super::token_device::run(device, options, format).await?;
        }
        TokenCommand::Flush(flush) => {
            let api = flush
                .endpoint
                .connect(options, oxydra_api::scopes::FLUSH)
                .await?;
            let not_after = flush.not_after.filter(|t| !t.trim().is_empty());
            let request = FlushInactiveOAuth2TokensRequest {
                not_after: not_after.clone(),
            };
            api.flush_inactive_tokens(&request).await?;
            if format == Format::Human {
                let before = not_after.as_deref().unwrap_or("now");
                println!("Flushed expired access tokens issued before {before}");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> TokenArgs {
        let mut argv = vec!["oxydra", "token"];
        argv.extend(args);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Token(args) => args,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn scopes_accept_commas_spaces_and_repetition() {
        let args = parse(&[
            "client",
            "--client-id",
            "a",
            "--client-secret",
            "b",
            "--scope",
            "read,write",
            "--scope",
            "admin  audit",
            "--format",
            "json",
        ]);
        assert_eq!(args.connection.format, Format::Json);
        let TokenCommand::Client(client) = args.command else {
            panic!()
        };
        assert_eq!(scopes(&client.scope), ["read", "write", "admin", "audit"]);
        assert_eq!(
            client.credentials.credentials(),
            ClientCredentials::new("a", "b")
        );
    }

    #[test]
    fn client_credentials_are_required() {
        let error = Cli::try_parse_from(["oxydra", "token", "client", "--client-id", "a"])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("--client-secret"), "{error}");
    }
}
