//! `hydra_oauth2_access` and `hydra_oauth2_refresh` rows into Oxydra token rows. Each is stored
//! under `hydra:<signature>` (see `token::hydra`), so the token the client holds keeps working:
//! it verifies with Hydra's HMAC key and finds its imported row. New tokens (a refresh's
//! rotation included) use Oxydra's format.
//!
//! The fosite session (`session_data`, JSON, not encrypted) carries the expiry times
//! (`idToken.ExpiresAt.access_token` / `.refresh_token`), the subject, the ID-token claims
//! (`idToken.Claims`) and the access token's extra claims (`extra`).

use std::time::Duration;

use serde_json::{Map, Value};

use crate::model::{ClientId, Now};
use crate::token::hydra::imported_signature;
use crate::token::{RequestId, StoredToken, TokenKind, TokenSession};

use super::clients::split_pipes;
use super::{TokenRow, TokenTable, go_time};

/// Hydra's default access-token lifespan (`ACCESS_TOKEN_LIFESPAN`, 1h): the expiry of an
/// access token whose session recorded none.
pub const HYDRA_ACCESS_TOKEN_LIFESPAN: Duration = Duration::from_secs(3600);

/// Converts one token row at `now`; `Err` says why it stays behind.
pub fn convert(row: &TokenRow, now: Now) -> Result<StoredToken, String> {
    if is_jwt_signature(&row.signature) {
        return Err(
            "a JWT access token (Hydra's jwt strategy) is not imported; the client refreshes"
                .into(),
        );
    }
    if !row.active {
        return Err("inactive in Hydra (used or revoked)".into());
    }
    let session: Value = serde_json::from_str(&row.session_data)
        .map_err(|e| format!("its session is not JSON: {e}"))?;
    let id_token = session.get("idToken").unwrap_or(&Value::Null);
    let expiry = |name: &str| {
        id_token
            .get("ExpiresAt")
            .and_then(|e| e.get(name))
            .and_then(Value::as_str)
            .and_then(go_time::parse)
    };
    let (kind, expires_at) = match row.table {
        TokenTable::Access => (
            TokenKind::AccessToken,
            Some(
                expiry("access_token")
                    .unwrap_or_else(|| row.requested_at.plus(HYDRA_ACCESS_TOKEN_LIFESPAN)),
            ),
        ),
        TokenTable::Refresh => (TokenKind::RefreshToken, expiry("refresh_token")),
    };
    if expires_at.is_some_and(|at| at <= now) {
        return Err("expired".into());
    }
    let subject = if row.subject.is_empty() {
        id_token
            .get("Subject")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    } else {
        row.subject.clone()
    };
    let client_id =
        ClientId::parse(row.client_id.clone()).map_err(|e| format!("its client id: {e}"))?;
    Ok(StoredToken {
        signature: imported_signature(&row.signature),
        kind,
        request_id: RequestId::from_stored(row.request_id.clone()),
        client_id,
        subject,
        granted_scope: split_pipes(&row.granted_scope),
        granted_audience: string_list(session.get("Audience")),
        issued_at: row.requested_at,
        expires_at,
        active: true,
        session: token_session(row, &session),
    })
}

/// What the grant carried, from fosite's session and the request form.
fn token_session(row: &TokenRow, session: &Value) -> TokenSession {
    let claims = session
        .get("idToken")
        .and_then(|t| t.get("Claims"))
        .unwrap_or(&Value::Null);
    let time = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .and_then(go_time::parse)
            .map(Now::unix_secs)
    };
    let text = |name: &str| {
        claims
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let grant_type = url::form_urlencoded::parse(row.form_data.as_bytes())
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.into_owned());
    TokenSession {
        access_extra: object(session.get("extra")),
        id_token_extra: object(claims.get("Extra")),
        auth_time: time("AuthTime"),
        requested_at: time("RequestedAt"),
        nonce: text("Nonce"),
        requested_scope: split_pipes(&row.scope),
        acr: text("AuthenticationContextClassReference"),
        client_credentials: grant_type.as_deref() == Some("client_credentials"),
        ..TokenSession::default()
    }
}

fn object(value: Option<&Value>) -> Map<String, Value> {
    match value {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    }
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Hydra stored JWT access tokens under the hex SHA-384 of their signature (96 characters);
/// HMAC signatures are 43 base64url characters.
fn is_jwt_signature(signature: &str) -> bool {
    signature.len() == 96 && signature.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Now = Now::from_unix_secs(1_654_041_600); // 2022-06-01T00:00:00Z

    fn row(table: TokenTable, session: &str) -> TokenRow {
        TokenRow {
            table,
            signature: "c2lnbmF0dXJl".into(),
            request_id: "req-1".into(),
            requested_at: Now::from_unix_secs(1_654_040_000),
            client_id: "app".into(),
            scope: "openid|offline".into(),
            granted_scope: "openid|offline".into(),
            form_data: "grant_type=authorization_code&code=x".into(),
            session_data: session.into(),
            subject: "alice".into(),
            active: true,
        }
    }

    const SESSION: &str = r#"{"idToken":{"Claims":{"Nonce":"n-1","AuthTime":"2022-05-31T23:00:00Z",
        "RequestedAt":"2022-05-31T22:59:00Z","AuthenticationContextClassReference":"",
        "Extra":{"email":"a@example"}},"Headers":{"Extra":{}},
        "ExpiresAt":{"access_token":"2022-06-01T01:00:00Z","refresh_token":"0001-01-01T00:00:00Z"},
        "Username":"","Subject":"alice"},"Audience":["api"],"extra":{"tier":"gold"},"KID":"","ClientID":"app"}"#;

    #[test]
    fn an_access_token_keeps_its_grant() {
        let t = convert(&row(TokenTable::Access, SESSION), NOW).unwrap();
        assert_eq!(t.signature.as_str(), "hydra:c2lnbmF0dXJl");
        assert_eq!(t.kind, TokenKind::AccessToken);
        assert_eq!(t.expires_at, Some(Now::from_unix_secs(1_654_045_200)));
        assert_eq!(t.granted_scope, ["openid", "offline"]);
        assert_eq!(t.granted_audience, ["api"]);
        assert_eq!(t.session.access_extra["tier"], "gold");
        assert_eq!(t.session.id_token_extra["email"], "a@example");
        assert_eq!(t.session.nonce.as_deref(), Some("n-1"));
        assert_eq!(t.session.auth_time, Some(1_654_038_000));
        assert!(!t.session.client_credentials);
    }

    #[test]
    fn a_refresh_token_without_expiry_never_expires() {
        let t = convert(&row(TokenTable::Refresh, SESSION), NOW).unwrap();
        assert_eq!((t.kind, t.expires_at), (TokenKind::RefreshToken, None));
    }

    #[test]
    fn expired_inactive_and_jwt_tokens_stay_behind() {
        let late = Now::from_unix_secs(1_654_045_200);
        assert_eq!(
            convert(&row(TokenTable::Access, SESSION), late).unwrap_err(),
            "expired"
        );
        let mut r = row(TokenTable::Access, SESSION);
        r.active = false;
        assert!(convert(&r, NOW).unwrap_err().contains("inactive"));
        r.active = true;
        r.signature = "a".repeat(96);
        assert!(convert(&r, NOW).unwrap_err().contains("JWT"));
        let r = row(TokenTable::Access, "not json");
        assert!(convert(&r, NOW).unwrap_err().contains("not JSON"));
    }

    #[test]
    fn missing_expiry_uses_hydras_default_and_client_credentials_is_kept() {
        let mut r = row(
            TokenTable::Access,
            r#"{"idToken":{"Subject":"app"},"extra":{}}"#,
        );
        r.subject.clear();
        r.form_data = "grant_type=client_credentials".into();
        let t = convert(&r, NOW).unwrap();
        assert_eq!(
            t.expires_at,
            Some(r.requested_at.plus(HYDRA_ACCESS_TOKEN_LIFESPAN))
        );
        assert_eq!(t.subject, "app");
        assert!(t.session.client_credentials);
    }
}
