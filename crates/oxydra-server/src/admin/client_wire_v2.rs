//! The Hydra 2.x client shape (`/admin/clients`): the 1.x body plus `created_at`,
//! `updated_at`, `skip_consent`, `skip_logout_consent`, `metadata`, `access_token_strategy`,
//! the per-grant token lifespans as Go durations and the `audience` whitelist.

use oxydra_api::{OAuth2Client, OAuth2ClientTokenLifespans};
use oxydra_core::client::{Client, ClientLifespans};
use oxydra_core::{Error, Now, Secret};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::client_wire::to_wire;
use crate::config::{format_go_duration, parse_duration};
use crate::error::ApiError;

/// Domain client → the Hydra 2.x body; `secret` only when this response may reveal it.
pub fn to_wire_v2(client: Client, secret: Option<Secret<String>>) -> OAuth2Client {
    let created_at = rfc3339(client.created_at);
    let updated_at = rfc3339(client.updated_at);
    let skip_consent = client.skip_consent;
    let skip_logout_consent = client.skip_logout_consent;
    let metadata = client.metadata.clone();
    let strategy = client.access_token_strategy.clone();
    let lifespans = lifespans_to_wire(&client.token_lifespans);
    let audience = (!client.audience.is_empty()).then(|| client.audience.clone());
    OAuth2Client {
        created_at: Some(created_at),
        updated_at: Some(updated_at),
        skip_consent: Some(skip_consent),
        skip_logout_consent: Some(skip_logout_consent),
        metadata,
        access_token_strategy: (!strategy.is_empty()).then_some(strategy),
        lifespans,
        audience,
        ..to_wire(client, secret)
    }
}

/// A 1.x `PUT /clients/{id}` replaces the client, but 1.x SDKs neither read nor send the
/// Hydra 2.x fields: each one the body leaves out keeps its stored value (`stored` in the
/// 2.x shape), so a 1.x round trip loses nothing.
pub fn keep_unsent_v2_fields(body: &mut OAuth2Client, stored: OAuth2Client) {
    body.skip_consent = body.skip_consent.or(stored.skip_consent);
    body.skip_logout_consent = body.skip_logout_consent.or(stored.skip_logout_consent);
    body.metadata = body.metadata.take().or(stored.metadata);
    body.audience = body.audience.take().or(stored.audience);
    body.access_token_strategy = body
        .access_token_strategy
        .take()
        .or(stored.access_token_strategy);
    let (Ok(Value::Object(mut sent)), Ok(Value::Object(kept))) = (
        serde_json::to_value(&body.lifespans),
        serde_json::to_value(stored.lifespans),
    ) else {
        return;
    };
    for (name, value) in kept {
        sent.entry(name).or_insert(value);
    }
    if let Ok(merged) = serde_json::from_value(Value::Object(sent)) {
        body.lifespans = merged;
    }
}

/// The wire lifespans (Go durations) → the domain's; a value that is no Go duration is 400
/// `invalid_request` naming the field (as every client-metadata failure here).
pub fn lifespans_from_wire(wire: &OAuth2ClientTokenLifespans) -> Result<ClientLifespans, ApiError> {
    let mut lifespans = ClientLifespans::default();
    let Ok(Value::Object(map)) = serde_json::to_value(wire) else {
        return Ok(lifespans);
    };
    for (name, value) in map {
        let Value::String(text) = value else { continue };
        let parsed = parse_duration(&text)
            .map_err(|why| Error::invalid("token_lifespans", format!("{name}: {why}")))?;
        lifespans.set(&name, Some(parsed));
    }
    Ok(lifespans)
}

/// The domain lifespans → the wire's, each a Go duration (`1h0m0s`), unset ones absent.
pub fn lifespans_to_wire(lifespans: &ClientLifespans) -> OAuth2ClientTokenLifespans {
    let map: Map<String, Value> = lifespans
        .entries()
        .into_iter()
        .filter_map(|(name, value)| {
            value.map(|d| (name.to_owned(), Value::String(format_go_duration(d))))
        })
        .collect();
    serde_json::from_value(Value::Object(map)).unwrap_or_default()
}

/// RFC 3339 in UTC with the microseconds kept (`2026-01-01T00:10:00.123456Z`).
fn rfc3339(at: Now) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.unix_micros()) * 1_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifespans_round_trip_as_go_durations() {
        let wire = OAuth2ClientTokenLifespans {
            client_credentials_grant_access_token_lifespan: Some("1h30m".into()),
            refresh_token_grant_id_token_lifespan: Some("1.5s".into()),
            ..Default::default()
        };
        let domain = lifespans_from_wire(&wire).unwrap();
        let back = lifespans_to_wire(&domain);
        assert_eq!(
            back.client_credentials_grant_access_token_lifespan
                .as_deref(),
            Some("1h30m0s")
        );
        assert_eq!(
            back.refresh_token_grant_id_token_lifespan.as_deref(),
            Some("1.5s")
        );
        assert_eq!(back.implicit_grant_access_token_lifespan, None);
    }

    #[test]
    fn a_bad_duration_names_its_field() {
        let wire = OAuth2ClientTokenLifespans {
            implicit_grant_id_token_lifespan: Some("soon".into()),
            ..Default::default()
        };
        let err = format!("{:?}", lifespans_from_wire(&wire).unwrap_err());
        assert!(err.contains("implicit_grant_id_token_lifespan"), "{err}");
    }

    #[test]
    fn a_1x_put_keeps_the_2x_fields_it_does_not_send() {
        let stored = OAuth2Client {
            skip_consent: Some(true),
            metadata: Some(serde_json::json!({"a": 1})),
            lifespans: OAuth2ClientTokenLifespans {
                implicit_grant_id_token_lifespan: Some("1m0s".into()),
                ..Default::default()
            },
            ..OAuth2Client::default()
        };
        let mut body = OAuth2Client {
            skip_consent: Some(false),
            ..OAuth2Client::default()
        };
        keep_unsent_v2_fields(&mut body, stored);
        assert_eq!(body.skip_consent, Some(false));
        assert_eq!(body.metadata, Some(serde_json::json!({"a": 1})));
        assert_eq!(
            body.lifespans.implicit_grant_id_token_lifespan.as_deref(),
            Some("1m0s")
        );
    }
}
