//! `hydra_client` rows into Oxydra clients. The bcrypt hash Hydra stored is kept as is, so each
//! client keeps authenticating with the secret it has; the metadata is validated by Oxydra's
//! own rules (a client Oxydra would refuse is reported, not imported).

use crate::client::{Client, ClientInput};
use crate::config::ClientPolicy;
use crate::model::Now;

use super::ClientRow;

/// A converted client and the Hydra fields it had values for that Oxydra has no place for.
#[derive(Debug, Clone)]
pub struct ConvertedClient {
    /// The client, its secret hash Hydra's.
    pub client: Client,
    /// Names of Hydra fields whose values are dropped.
    pub dropped: Vec<&'static str>,
}

/// Hydra's `|`-joined lists (its `stringsx.Splitx`: empty text is an empty list).
pub fn split_pipes(text: &str) -> Vec<String> {
    text.split('|')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Converts one client; `Err` carries why Oxydra refuses it.
pub fn convert(
    row: &ClientRow,
    policy: &ClientPolicy,
    now: Now,
) -> Result<ConvertedClient, String> {
    let auth_method = match (row.public, row.token_endpoint_auth_method.as_str()) {
        (Some(true), _) => "none".to_owned(),
        (_, "") => "client_secret_basic".to_owned(),
        (_, method) => method.to_owned(),
    };
    let jwks = if row.jwks.trim().is_empty() {
        None
    } else {
        Some(serde_json::from_str(&row.jwks).map_err(|e| format!("its jwks is not JSON: {e}"))?)
    };
    let input = ClientInput {
        client_id: row.id.clone(),
        client_secret: None,
        client_name: row.name.clone(),
        redirect_uris: split_pipes(&row.redirect_uris),
        grant_types: split_pipes(&row.grant_types),
        response_types: split_pipes(&row.response_types),
        scope: row.scope.clone(),
        owner: row.owner.clone(),
        policy_uri: row.policy_uri.clone(),
        tos_uri: row.tos_uri.clone(),
        client_uri: row.client_uri.clone(),
        logo_uri: row.logo_uri.clone(),
        contacts: split_pipes(&row.contacts),
        subject_type: row.subject_type.clone(),
        sector_identifier_uri: row.sector_identifier_uri.clone(),
        jwks_uri: row.jwks_uri.clone(),
        jwks,
        token_endpoint_auth_method: auth_method,
        request_uris: split_pipes(&row.request_uris),
        request_object_signing_alg: row.request_object_signing_alg.clone(),
        userinfo_signed_response_alg: row.userinfo_signed_response_alg.clone(),
        ..ClientInput::default()
    };
    let valid = input
        .validate(None, policy, now)
        .map_err(|e| format!("Oxydra refuses its metadata: {e}"))?;
    let mut client = valid.client;
    if client.token_endpoint_auth_method.uses_secret() {
        if row.secret_hash.is_empty() {
            return Err("it authenticates with a secret but Hydra stored no secret hash".into());
        }
        client.secret_hash = Some(row.secret_hash.clone());
    }
    Ok(ConvertedClient {
        client,
        dropped: dropped_fields(row),
    })
}

/// The Hydra fields with a value that the Oxydra client model does not hold.
fn dropped_fields(row: &ClientRow) -> Vec<&'static str> {
    let mut dropped = Vec::new();
    if !row.allowed_cors_origins.is_empty() {
        dropped.push("allowed_cors_origins");
    }
    if row.secret_expires_at != 0 {
        dropped.push("client_secret_expires_at");
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{AuthMethod, SubjectType};

    fn policy() -> ClientPolicy {
        ClientPolicy {
            subject_types: vec![SubjectType::Public, SubjectType::Pairwise],
            ..ClientPolicy::default()
        }
    }

    fn row() -> ClientRow {
        ClientRow {
            id: "app".into(),
            name: "App".into(),
            secret_hash: "$2a$10$abcdefghijklmnopqrstuv".into(),
            redirect_uris: "https://app.example/cb|https://app.example/cb2".into(),
            grant_types: "authorization_code|refresh_token".into(),
            response_types: "code".into(),
            scope: "openid offline".into(),
            ..ClientRow::default()
        }
    }

    #[test]
    fn keeps_the_secret_hash_and_splits_lists() {
        let c = convert(&row(), &policy(), Now::from_unix_secs(1)).unwrap();
        assert_eq!(
            c.client.secret_hash.as_deref(),
            Some("$2a$10$abcdefghijklmnopqrstuv")
        );
        assert_eq!(c.client.redirect_uris.len(), 2);
        assert_eq!(
            c.client.token_endpoint_auth_method,
            AuthMethod::ClientSecretBasic
        );
        assert!(c.dropped.is_empty());
    }

    #[test]
    fn public_flag_and_dropped_fields() {
        let mut r = row();
        r.public = Some(true);
        r.allowed_cors_origins = "https://a.example".into();
        r.secret_expires_at = 5;
        let c = convert(&r, &policy(), Now::from_unix_secs(1)).unwrap();
        assert_eq!(c.client.token_endpoint_auth_method, AuthMethod::None);
        assert_eq!(c.client.secret_hash, None);
        assert_eq!(
            c.dropped,
            ["allowed_cors_origins", "client_secret_expires_at"]
        );
    }

    #[test]
    fn refusals_carry_a_reason() {
        let mut r = row();
        r.secret_hash.clear();
        assert!(
            convert(&r, &policy(), Now::from_unix_secs(1))
                .unwrap_err()
                .contains("no secret hash")
        );
        let mut r = row();
        r.redirect_uris = "not a url".into();
        assert!(
            convert(&r, &policy(), Now::from_unix_secs(1))
                .unwrap_err()
                .contains("refuses")
        );
    }
}
