//! `oxydra token device`: the device authorization grant (RFC 8628) from a terminal — ask for
//! a device code, print where to go and the user code to type there, then poll the token
//! endpoint until the user has approved (or denied) it, and print the tokens.

use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use oxydra_api::client::{ClientCredentials, ClientError, ClientOptions, PublicClient};
use oxydra_api::{DeviceAuthorization, OauthTokenResponse};

use super::remote::{Format, PublicEndpoint, print_json, scopes};
use super::token_user::{PublicClientArgs, print_tokens};

/// RFC 8628 §3.5: what a `slow_down` adds to the polling interval.
const SLOW_DOWN: Duration = Duration::from_secs(5);

/// Arguments of `token device`.
#[derive(Debug, Args)]
pub struct TokenDeviceArgs {
    /// Where the public API is.
    #[command(flatten)]
    pub endpoint: PublicEndpoint,
    /// The device's client; it must have the urn:ietf:params:oauth:grant-type:device_code
    /// grant type, and is usually public.
    #[command(flatten)]
    pub client: PublicClientArgs,
    /// Scopes to request (comma- or space-separated, or repeated).
    #[arg(long, value_delimiter = ',', default_value = "openid,offline")]
    pub scope: Vec<String>,
}

/// Asks for a device code, tells the user where to approve it, polls, prints the tokens.
pub async fn run(
    args: TokenDeviceArgs,
    options: ClientOptions,
    format: Format,
) -> anyhow::Result<()> {
    let api = PublicClient::new(&args.endpoint.clone().resolve()?, options)?;
    let credentials = args.client.credentials();
    let client_id = &args.client.client_id;
    let device = api
        .device_authorization(client_id, credentials.as_ref(), &scopes(&args.scope))
        .await
        .context("the device authorization request failed")?;
    let message = instructions(&device);
    match format {
        Format::Human => println!("{message}"),
        Format::Json => eprintln!("{message}"),
    }
    let tokens = poll(&api, client_id, credentials.as_ref(), &device).await?;
    match format {
        Format::Json => print_json(format, &tokens)?,
        Format::Human => print_tokens(&tokens),
    }
    Ok(())
}

/// What the user is told to do.
fn instructions(device: &DeviceAuthorization) -> String {
    let complete = device
        .verification_uri_complete
        .as_deref()
        .map(|url| format!("\n(or open {url})"))
        .unwrap_or_default();
    format!(
        "Open {} in a browser and enter the code\n\n    {}\n{complete}\n\
         Waiting for approval (the code expires in {} s)...",
        device.verification_uri, device.user_code, device.expires_in
    )
}

/// Polls at the announced interval (5 s more after each `slow_down`) until tokens, a final
/// error, or the code's expiry.
async fn poll(
    api: &PublicClient,
    client_id: &str,
    credentials: Option<&ClientCredentials>,
    device: &DeviceAuthorization,
) -> anyhow::Result<OauthTokenResponse> {
    let mut interval = Duration::from_secs(u64::try_from(device.interval.max(1)).unwrap_or(5));
    let expires = Duration::from_secs(u64::try_from(device.expires_in.max(0)).unwrap_or(0));
    let deadline = tokio::time::Instant::now() + expires;
    loop {
        tokio::time::sleep(interval).await;
        match api
            .device_token(client_id, credentials, &device.device_code)
            .await
        {
            Ok(tokens) => return Ok(tokens),
            Err(ClientError::Api { body, .. }) if body.error == "authorization_pending" => {}
            Err(ClientError::Api { body, .. }) if body.error == "slow_down" => {
                interval += SLOW_DOWN;
            }
            Err(e) => return Err(e).context("the device was not approved"),
        }
        if tokio::time::Instant::now() + interval > deadline {
            bail!("the user code expired before the device was approved");
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    #[test]
    fn a_public_client_needs_only_its_id() {
        let cli = Cli::try_parse_from(["oxydra", "token", "device", "--client-id", "tv"]).unwrap();
        let Command::Token(args) = cli.command else {
            panic!()
        };
        let super::super::token::TokenCommand::Device(device) = args.command else {
            panic!()
        };
        assert_eq!(device.client.client_id, "tv");
        assert_eq!(device.client.credentials(), None);
        assert_eq!(scopes(&device.scope), ["openid", "offline"]);
    }

    #[test]
    fn the_user_is_told_where_to_go_and_what_to_type() {
        let text = instructions(&DeviceAuthorization {
            device_code: "secret-device-code".into(),
            user_code: "BCDF-GHJK".into(),
            verification_uri: "https://auth.example/oauth2/device/verify".into(),
            verification_uri_complete: Some(
                "https://auth.example/oauth2/device/verify?user_code=BCDF-GHJK".into(),
            ),
            expires_in: 600,
            interval: 5,
        });
        assert!(text.contains("https://auth.example/oauth2/device/verify in a browser"));
        assert!(text.contains("BCDF-GHJK"));
        assert!(!text.contains("secret-device-code"));
    }
}
