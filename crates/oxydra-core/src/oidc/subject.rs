//! Subject identifiers (OIDC Core §8, `shared/spec/behaviour.md` §3.7): the `sub` a client sees
//! is the real subject (`public`) or a per-sector hash of it (`pairwise`), so two clients of
//! different sectors cannot correlate one user.

use url::Url;

use crate::OAuthError;
use crate::client::{Client, SubjectType};
use crate::token::TokenSession;

/// The sector a pairwise client belongs to (OIDC Core §8.1): its `sector_identifier_uri` when
/// set, else the host (and port) of its only redirect URI.
pub fn sector_of(client: &Client) -> Result<String, OAuthError> {
    if !client.sector_identifier_uri.is_empty() {
        return Ok(client.sector_identifier_uri.clone());
    }
    let [only] = client.redirect_uris.as_slice() else {
        return Err(OAuthError::invalid_request(
            "A pairwise client with several redirect URIs needs a sector_identifier_uri.",
        ));
    };
    let url = Url::parse(only)
        .map_err(|_| OAuthError::invalid_request("The client's redirect URI is not a URL."))?;
    let host = url
        .host_str()
        .ok_or_else(|| OAuthError::invalid_request("The client's redirect URI has no host."))?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// Lowercase hex `SHA-256(sector ‖ subject ‖ salt)`.
pub fn pairwise(sector: &str, subject: &str, salt: &[u8]) -> String {
    use aws_lc_rs::digest;
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(sector.as_bytes());
    ctx.update(subject.as_bytes());
    ctx.update(salt);
    ctx.finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The identifier `client` sees for `subject`: `None` for public clients, the pairwise hash
/// (or the login app's `force_subject_identifier`) for pairwise ones.
pub fn obfuscated_subject(
    client: &Client,
    subject: &str,
    forced: &str,
    salt: &[u8],
) -> Result<Option<String>, OAuthError> {
    if client.subject_type != SubjectType::Pairwise {
        return Ok(None);
    }
    if !forced.is_empty() {
        return Ok(Some(forced.to_owned()));
    }
    Ok(Some(pairwise(&sector_of(client)?, subject, salt)))
}

/// The `sub` a client sees for a grant: the pairwise identifier when there is one.
pub fn visible_subject<'a>(subject: &'a str, session: &'a TokenSession) -> &'a str {
    session.obfuscated_subject.as_deref().unwrap_or(subject)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth2::grant::tests_support::client;

    #[test]
    fn pairwise_is_sha256_hex_of_sector_subject_salt() {
        // Computed independently: sha256(b"app.example:8443" + b"alice" + b"saltsalt").
        assert_eq!(
            pairwise("app.example:8443", "alice", b"saltsalt"),
            "b6ea51c97546ac8e2c87b8f481c22f4565bbdfd696a39dde895064300656d6ea"
        );
    }

    #[test]
    fn sector_is_the_uri_or_the_single_redirect_host() {
        let mut c = client("c", "");
        c.redirect_uris = vec!["https://app.example:8443/cb".into()];
        assert_eq!(sector_of(&c).unwrap(), "app.example:8443");
        c.redirect_uris.push("https://other.example/cb".into());
        assert!(sector_of(&c).is_err());
        c.sector_identifier_uri = "https://app.example/sector.json".into();
        assert_eq!(sector_of(&c).unwrap(), "https://app.example/sector.json");
    }

    #[test]
    fn only_pairwise_clients_get_obfuscated_and_forced_ids_win() {
        let mut c = client("c", "");
        c.redirect_uris = vec!["https://app.example/cb".into()];
        assert_eq!(obfuscated_subject(&c, "alice", "", b"salt").unwrap(), None);
        c.subject_type = SubjectType::Pairwise;
        let a = obfuscated_subject(&c, "alice", "", b"salt")
            .unwrap()
            .unwrap();
        assert_eq!(a, pairwise("app.example", "alice", b"salt"));
        assert_ne!(a, pairwise("app.example", "bob", b"salt"));
        assert_eq!(
            obfuscated_subject(&c, "alice", "forced", b"salt").unwrap(),
            Some("forced".into())
        );
    }
}
