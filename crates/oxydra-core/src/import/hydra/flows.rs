//! 1.0.0-beta's remembered logins and consents (`consent/sql_helper.go`): a login session row
//! per browser session, and a consent request with its handled answer. Only what a later
//! request can reuse comes over — an accepted, remembered, unexpired consent — so the user is
//! not asked again; unfinished flows are dropped (the user simply starts again).

use std::time::Duration;

use serde_json::{Map, Value};

use crate::flow::{ConsentOutcome, ConsentRequest, FlowId, LoginSession, OidcContext};
use crate::model::{ClientId, Now};

use super::clients::split_pipes;
use super::{ConsentRow, LoginSessionRow};

/// A login session, honoured for `lifespan` after the login (Hydra kept no server-side expiry);
/// `Err` when that time is over.
pub fn login_session(
    row: &LoginSessionRow,
    lifespan: Duration,
    now: Now,
) -> Result<LoginSession, String> {
    let expires_at = row.authenticated_at.plus(lifespan);
    if expires_at <= now {
        return Err("expired (older than the browser-session lifespan)".into());
    }
    Ok(LoginSession {
        id: row.id.clone(),
        subject: row.subject.clone(),
        authenticated_at: row.authenticated_at,
        expires_at,
    })
}

/// A remembered consent; `Err` says why the row is not one worth keeping.
pub fn remembered_consent(row: &ConsentRow, now: Now) -> Result<ConsentRequest, String> {
    let Some(handled) = &row.handled else {
        return Err("an unfinished flow (never answered): dropped".into());
    };
    if !matches!(handled.error.trim(), "" | "{}" | "null") {
        return Err("rejected by the consent app: nothing to remember".into());
    }
    if !handled.remember {
        return Err("not remembered: it would not be skipped".into());
    }
    if row.skip {
        return Err("itself a skipped request: the remembered original comes over".into());
    }
    if handled.remember_for > 0
        && row
            .requested_at
            .unix_secs()
            .saturating_add(handled.remember_for)
            < now.unix_secs()
    {
        return Err("no longer remembered (remember_for elapsed)".into());
    }
    let client_id =
        ClientId::parse(row.client_id.clone()).map_err(|e| format!("its client id: {e}"))?;
    let login_session_id = Some(row.login_session_id.clone()).filter(|s| !s.is_empty());
    Ok(ConsentRequest {
        challenge: FlowId::from_stored(row.challenge.clone()),
        verifier: FlowId::from_stored(row.verifier.clone()),
        csrf: FlowId::from_stored(row.csrf.clone()),
        client_id,
        subject: row.subject.clone(),
        skip: false,
        requested_scope: split_pipes(&row.requested_scope),
        request_url: row.request_url.clone(),
        oidc_context: serde_json::from_str::<OidcContext>(&row.oidc_context).unwrap_or_default(),
        login_challenge: FlowId::from_stored(row.login_challenge.clone()),
        login_session_id,
        requested_at: row.requested_at,
        authenticated_at: row.authenticated_at.unwrap_or(row.requested_at),
        acr: String::new(),
        amr: Vec::new(),
        context: None,
        outcome: Some(ConsentOutcome::Accepted {
            grant_scope: split_pipes(&handled.granted_scope),
            remember: true,
            remember_for: handled.remember_for,
            access_extra: object(&handled.session_access_token),
            id_token_extra: object(&handled.session_id_token),
        }),
        handled_at: Some(handled.handled_at),
        verifier_used: true,
    })
}

fn object(json: &str) -> Map<String, Value> {
    match serde_json::from_str(json) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::hydra::HandledConsentRow;

    const NOW: Now = Now::from_unix_secs(1_654_041_600);

    fn consent() -> ConsentRow {
        ConsentRow {
            challenge: "c1".into(),
            verifier: "v1".into(),
            csrf: "x1".into(),
            client_id: "app".into(),
            subject: "alice".into(),
            request_url: "https://op/oauth2/auth?x".into(),
            skip: false,
            requested_scope: "openid|offline".into(),
            oidc_context: r#"{"ui_locales":["de"]}"#.into(),
            login_challenge: "l1".into(),
            login_session_id: String::new(),
            requested_at: Now::from_unix_secs(1_654_000_000),
            authenticated_at: None,
            handled: Some(HandledConsentRow {
                granted_scope: "openid".into(),
                remember: true,
                remember_for: 0,
                error: "{}".into(),
                session_access_token: r#"{"a":1}"#.into(),
                session_id_token: "{}".into(),
                handled_at: Now::from_unix_secs(1_654_000_100),
            }),
        }
    }

    #[test]
    fn a_remembered_consent_is_remembered_in_oxydra() {
        let c = remembered_consent(&consent(), NOW).unwrap();
        assert!(c.is_remembered_at(NOW));
        assert_eq!(c.oidc_context.ui_locales, ["de"]);
        assert!(c.verifier_used);
    }

    #[test]
    fn other_consents_stay_behind_with_a_reason() {
        let mut c = consent();
        c.handled = None;
        assert!(
            remembered_consent(&c, NOW)
                .unwrap_err()
                .contains("unfinished")
        );
        let mut c = consent();
        if let Some(h) = c.handled.as_mut() {
            h.error = r#"{"error":"access_denied"}"#.into();
        }
        assert!(
            remembered_consent(&c, NOW)
                .unwrap_err()
                .contains("rejected")
        );
        let mut c = consent();
        if let Some(h) = c.handled.as_mut() {
            h.remember = false;
        }
        assert!(
            remembered_consent(&c, NOW)
                .unwrap_err()
                .contains("not remembered")
        );
        let mut c = consent();
        if let Some(h) = c.handled.as_mut() {
            h.remember_for = 60;
        }
        assert!(remembered_consent(&c, NOW).unwrap_err().contains("elapsed"));
    }

    #[test]
    fn login_sessions_expire_after_the_lifespan() {
        let row = LoginSessionRow {
            id: "s1".into(),
            subject: "alice".into(),
            authenticated_at: Now::from_unix_secs(1_654_040_000),
        };
        let day = Duration::from_secs(86_400);
        assert_eq!(
            login_session(&row, day, NOW).unwrap().expires_at,
            Now::from_unix_secs(1_654_126_400)
        );
        assert!(login_session(&row, Duration::from_secs(60), NOW).is_err());
    }
}
