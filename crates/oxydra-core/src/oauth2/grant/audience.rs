//! Requested audiences against a client's audience whitelist (Hydra's client `audience`):
//! the `audience` of a client-credentials request and RFC 8693's `audience` and `resource`.

use crate::client::Client;
use crate::{OAuthError, OAuthErrorKind};

/// The audiences to grant: every requested one (duplicates removed, request order), each of
/// which must be on the client's whitelist, compared exactly. Otherwise `kind` (Hydra answers
/// `invalid_request` at the token endpoint; RFC 8693 §2.2.2 `invalid_target`).
pub fn granted_audience(
    client: &Client,
    requested: &[&str],
    kind: OAuthErrorKind,
) -> Result<Vec<String>, OAuthError> {
    let mut granted: Vec<String> = Vec::with_capacity(requested.len());
    for wanted in requested {
        if !client.audience.iter().any(|allowed| allowed == wanted) {
            return Err(OAuthError::new(kind).hint(format!(
                "The client may not ask for the audience '{wanted}': it is not in the client's audience list."
            )));
        }
        if !granted.iter().any(|g| g == wanted) {
            granted.push((*wanted).to_owned());
        }
    }
    Ok(granted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth2::grant::tests_support::client;

    #[test]
    fn only_whitelisted_audiences_are_granted() {
        let mut c = client("c", "read");
        assert_eq!(
            granted_audience(&c, &[], OAuthErrorKind::InvalidRequest).unwrap(),
            Vec::<String>::new()
        );
        let refused =
            granted_audience(&c, &["https://api"], OAuthErrorKind::InvalidTarget).unwrap_err();
        assert_eq!(refused.kind, OAuthErrorKind::InvalidTarget);
        c.audience = vec!["https://api".into(), "billing".into()];
        assert_eq!(
            granted_audience(
                &c,
                &["billing", "https://api", "billing"],
                OAuthErrorKind::InvalidTarget
            )
            .unwrap(),
            vec!["billing", "https://api"]
        );
        // Exact comparison: no prefix or case folding.
        assert!(granted_audience(&c, &["https://api/x"], OAuthErrorKind::InvalidTarget).is_err());
        assert!(granted_audience(&c, &["BILLING"], OAuthErrorKind::InvalidTarget).is_err());
    }
}
