//! Row structs (one per result shape, usable on every backend) and their conversions to core
//! types. A stored value that does not decode is `StoreError::Corrupt`, never skipped.

use std::str::FromStr;

use oxydra_core::client::{AuthMethod, Client, ClientLifespans, GrantType, SubjectType};
use oxydra_core::flow::device::{DeviceGrant, DeviceState};
use oxydra_core::flow::legacy::LegacyConsentRequest;
use oxydra_core::flow::logout::LogoutRequest;
use oxydra_core::flow::{ConsentRequest, FlowId, LoginRequest, LoginSession};
use oxydra_core::model::{ClientId, Now};
use oxydra_core::oauth2::jwt_bearer::TrustedIssuer;
use oxydra_core::oauth2::par::PushedRequest;
use oxydra_core::store::StoreError;
use oxydra_core::token::{RequestId, StoredToken, TokenKind, TokenSignature};
use serde::de::DeserializeOwned;

/// A row of `oxydra_client`, in the column order of `sql::clients`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ClientRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) secret_hash: Option<String>,
    pub(crate) redirect_uris: String,
    pub(crate) grant_types: String,
    pub(crate) response_types: String,
    pub(crate) scope: String,
    pub(crate) owner: String,
    pub(crate) policy_uri: String,
    pub(crate) tos_uri: String,
    pub(crate) client_uri: String,
    pub(crate) logo_uri: String,
    pub(crate) contacts: String,
    pub(crate) subject_type: String,
    pub(crate) sector_identifier_uri: String,
    pub(crate) jwks_uri: String,
    pub(crate) jwks: Option<String>,
    pub(crate) token_endpoint_auth_method: String,
    pub(crate) request_uris: String,
    pub(crate) request_object_signing_alg: String,
    pub(crate) userinfo_signed_response_alg: String,
    pub(crate) id_token_signed_response_alg: String,
    pub(crate) post_logout_redirect_uris: String,
    pub(crate) frontchannel_logout_uri: String,
    pub(crate) frontchannel_logout_session_required: bool,
    pub(crate) backchannel_logout_uri: String,
    pub(crate) backchannel_logout_session_required: bool,
    pub(crate) require_pushed_authorization_requests: bool,
    pub(crate) audience: String,
    pub(crate) dpop_bound_access_tokens: bool,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) skip_consent: bool,
    pub(crate) skip_logout_consent: bool,
    pub(crate) metadata: Option<String>,
    pub(crate) access_token_strategy: String,
    pub(crate) token_lifespans: String,
}

/// The `RETURNING secret_hash` of a client update; also a registration token hash read
/// `AS secret_hash`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SecretRow {
    pub(crate) secret_hash: Option<String>,
}

/// A row of `oxydra_token`, in the column order of `sql::tokens`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct TokenRow {
    pub(crate) signature: String,
    pub(crate) kind: String,
    pub(crate) request_id: String,
    pub(crate) client_id: String,
    pub(crate) subject: String,
    pub(crate) granted_scope: String,
    pub(crate) granted_audience: String,
    pub(crate) issued_at: i64,
    pub(crate) expires_at: Option<i64>,
    pub(crate) active: bool,
    pub(crate) session: String,
}

/// The request id of a token (`RETURNING request_id`, or the replay lookup).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RequestRow {
    pub(crate) request_id: String,
}

/// What a repeated presentation of a refresh token is judged by (`sql::tokens::ROTATED_FACTS`).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RotatedRow {
    pub(crate) request_id: String,
    pub(crate) client_id: String,
    pub(crate) rotated_at: Option<i64>,
    pub(crate) grace_successor: Option<String>,
    pub(crate) grace_sealed: Option<String>,
}

/// The columns `oxydra_login_request` and `oxydra_consent_request` share.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct FlowRow {
    pub(crate) challenge: String,
    pub(crate) verifier: String,
    pub(crate) csrf: String,
    pub(crate) client_id: String,
    pub(crate) subject: String,
    pub(crate) skip: bool,
    pub(crate) requested_scope: String,
    pub(crate) request_url: String,
    pub(crate) oidc_context: String,
    pub(crate) login_session_id: Option<String>,
    pub(crate) requested_at: i64,
    pub(crate) outcome: Option<String>,
    pub(crate) verifier_used: bool,
}

/// A row of `oxydra_login_request`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct LoginRequestRow {
    #[sqlx(flatten)]
    pub(crate) flow: FlowRow,
    pub(crate) authenticated_at: Option<i64>,
}

/// A row of `oxydra_consent_request` (without the columns copied from the outcome).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ConsentRequestRow {
    #[sqlx(flatten)]
    pub(crate) flow: FlowRow,
    pub(crate) login_challenge: String,
    pub(crate) authenticated_at: i64,
    pub(crate) acr: String,
    pub(crate) handled_at: Option<i64>,
    /// JSON list (migration 0015).
    pub(crate) amr: String,
    /// JSON, NULL when none (migration 0015).
    pub(crate) context: Option<String>,
}

/// A row of `oxydra_login_session`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct LoginSessionRow {
    pub(crate) id: String,
    pub(crate) subject: String,
    pub(crate) authenticated_at: i64,
    pub(crate) expires_at: i64,
}

/// Whether a flow request's verifier was redeemed.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct VerifierUsedRow {
    pub(crate) verifier_used: bool,
}

/// A row of `oxydra_logout_request`, in the column order of `sql::logout`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct LogoutRequestRow {
    pub(crate) challenge: String,
    pub(crate) verifier: String,
    pub(crate) subject: String,
    pub(crate) session_id: String,
    pub(crate) client_id: Option<String>,
    pub(crate) request_url: String,
    pub(crate) rp_initiated: bool,
    pub(crate) redirect_to: String,
    pub(crate) requested_at: i64,
    pub(crate) accepted: bool,
    pub(crate) verifier_used: bool,
}

/// One client id.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct ClientIdRow {
    pub(crate) client_id: String,
}

/// A single count.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct CountRow {
    pub(crate) n: i64,
}

/// One applied migration version.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct VersionRow {
    pub(crate) version: i64,
}

/// Hands `$decoder!` every row struct whose fields are all columns of the same name, with its
/// fields: the one list the SQLite engine's and MySQL's by-name decoders are generated from.
macro_rules! plain_rows {
    ($decoder:ident) => {
        $decoder! {
            ClientRow {
                id, name, secret_hash, redirect_uris, grant_types, response_types, scope, owner,
                policy_uri, tos_uri, client_uri, logo_uri, contacts, subject_type,
                sector_identifier_uri, jwks_uri, jwks, token_endpoint_auth_method, request_uris,
                request_object_signing_alg, userinfo_signed_response_alg,
                id_token_signed_response_alg, created_at, updated_at, skip_consent,
                skip_logout_consent, metadata, access_token_strategy, token_lifespans,
                post_logout_redirect_uris, frontchannel_logout_uri,
                frontchannel_logout_session_required, backchannel_logout_uri,
                backchannel_logout_session_required, require_pushed_authorization_requests,
                audience, dpop_bound_access_tokens,
            }
            SecretRow { secret_hash }
            TokenRow {
                signature, kind, request_id, client_id, subject, granted_scope, granted_audience,
                issued_at, expires_at, active, session,
            }
            RequestRow { request_id }
            RotatedRow { request_id, client_id, rotated_at, grace_successor, grace_sealed }
            FlowRow {
                challenge, verifier, csrf, client_id, subject, skip, requested_scope, request_url,
                oidc_context, login_session_id, requested_at, outcome, verifier_used,
            }
            LoginSessionRow { id, subject, authenticated_at, expires_at }
            VerifierUsedRow { verifier_used }
            CountRow { n }
            VersionRow { version }
            LegacyConsentRow {
                id, csrf, client_id, requested_scope, redirect_url, requested_at, expires_at,
                outcome, handled_at, used,
            }
            KeyRow { set_id, kid, alg, key_use, created_at, encrypted }
            DeviceGrantRow {
                signature, user_code_hash, challenge, client_id, requested_scope, requested_at,
                expires_at, poll_interval, last_polled_at, status, approval,
            }
            PushedRequestRow { key_hash, client_id, params, requested_at, expires_at, used }
            LogoutRequestRow {
                challenge, verifier, subject, session_id, client_id, request_url, rp_initiated,
                redirect_to, requested_at, accepted, verifier_used,
            }
            TrustRow {
                id, issuer, subject, allow_any_subject, scope, key_id, public_key, created_at,
                expires_at,
            }
            ClientIdRow { client_id }
            PolicyRow { id, description, effect, subjects, resources, actions, conditions }
            RevisionRow { revision }
        }
    };
}
pub(crate) use plain_rows;

/// Where a stored value came from: the table and the row's key, for `Corrupt` messages.
struct At<'a> {
    table: &'static str,
    key: &'a str,
}

impl At<'_> {
    fn corrupt(&self, column: &str, why: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt(format!(
            "{} {:?}: column {column}: {why}",
            self.table, self.key
        ))
    }

    fn json<T: DeserializeOwned>(&self, column: &str, text: &str) -> Result<T, StoreError> {
        serde_json::from_str(text).map_err(|e| self.corrupt(column, e))
    }

    fn opt_json<T: DeserializeOwned>(
        &self,
        column: &str,
        text: Option<&str>,
    ) -> Result<Option<T>, StoreError> {
        text.map(|t| self.json(column, t)).transpose()
    }

    fn client_id(&self, text: String) -> Result<ClientId, StoreError> {
        ClientId::parse(text).map_err(|e| self.corrupt("client_id", e))
    }

    fn parse_enum<T: FromStr>(&self, column: &str, text: &str) -> Result<T, StoreError> {
        text.parse()
            .map_err(|_| self.corrupt(column, format!("unknown value {text:?}")))
    }
}

impl TryFrom<ClientRow> for Client {
    type Error = StoreError;

    fn try_from(row: ClientRow) -> Result<Self, StoreError> {
        let at = At {
            table: "oxydra_client",
            key: &row.id,
        };
        let grant_names: Vec<String> = at.json("grant_types", &row.grant_types)?;
        let grant_types = grant_names
            .iter()
            .map(|g| at.parse_enum::<GrantType>("grant_types", g))
            .collect::<Result<_, _>>()?;
        let jwks = match row.jwks.as_deref() {
            Some(text) => Some(at.json("jwks", text)?),
            None => None,
        };
        Ok(Client {
            metadata: at.opt_json("metadata", row.metadata.as_deref())?,
            token_lifespans: stored_lifespans(&at, &row.token_lifespans)?,
            skip_consent: row.skip_consent,
            skip_logout_consent: row.skip_logout_consent,
            access_token_strategy: row.access_token_strategy,
            id: ClientId::parse(row.id.clone()).map_err(|e| at.corrupt("id", e))?,
            redirect_uris: at.json("redirect_uris", &row.redirect_uris)?,
            grant_types,
            response_types: at.json("response_types", &row.response_types)?,
            contacts: at.json("contacts", &row.contacts)?,
            subject_type: at.parse_enum::<SubjectType>("subject_type", &row.subject_type)?,
            jwks,
            token_endpoint_auth_method: at.parse_enum::<AuthMethod>(
                "token_endpoint_auth_method",
                &row.token_endpoint_auth_method,
            )?,
            request_uris: at.json("request_uris", &row.request_uris)?,
            post_logout_redirect_uris: at
                .json("post_logout_redirect_uris", &row.post_logout_redirect_uris)?,
            audience: at.json("audience", &row.audience)?,
            created_at: Now::from_unix_micros(row.created_at),
            updated_at: Now::from_unix_micros(row.updated_at),
            name: row.name,
            secret_hash: row.secret_hash,
            scope: row.scope,
            owner: row.owner,
            policy_uri: row.policy_uri,
            tos_uri: row.tos_uri,
            client_uri: row.client_uri,
            logo_uri: row.logo_uri,
            sector_identifier_uri: row.sector_identifier_uri,
            jwks_uri: row.jwks_uri,
            request_object_signing_alg: row.request_object_signing_alg,
            userinfo_signed_response_alg: row.userinfo_signed_response_alg,
            id_token_signed_response_alg: row.id_token_signed_response_alg,
            frontchannel_logout_uri: row.frontchannel_logout_uri,
            frontchannel_logout_session_required: row.frontchannel_logout_session_required,
            backchannel_logout_uri: row.backchannel_logout_uri,
            backchannel_logout_session_required: row.backchannel_logout_session_required,
            require_pushed_authorization_requests: row.require_pushed_authorization_requests,
            dpop_bound_access_tokens: row.dpop_bound_access_tokens,
        })
    }
}

/// `token_lifespans`: a JSON object of lifespan name to microseconds (migration 0012).
fn stored_lifespans(at: &At<'_>, text: &str) -> Result<ClientLifespans, StoreError> {
    let map: std::collections::BTreeMap<String, u64> = at.json("token_lifespans", text)?;
    let mut lifespans = ClientLifespans::default();
    for (name, micros) in map {
        if !lifespans.set(&name, Some(std::time::Duration::from_micros(micros))) {
            return Err(at.corrupt("token_lifespans", format!("unknown lifespan {name:?}")));
        }
    }
    Ok(lifespans)
}

/// The stored name of a token kind (the values the `oxydra_token.kind` check allows).
pub(crate) const fn kind_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::AccessToken => "access_token",
        TokenKind::RefreshToken => "refresh_token",
        TokenKind::AuthorizeCode => "authorize_code",
        // Never stored in `oxydra_token` (its check refuses it): device codes have their table.
        TokenKind::DeviceCode => "device_code",
    }
}

impl TryFrom<TokenRow> for StoredToken {
    type Error = StoreError;

    fn try_from(row: TokenRow) -> Result<Self, StoreError> {
        let at = At {
            table: "oxydra_token",
            key: &row.signature,
        };
        let kind = TokenKind::ALL
            .into_iter()
            .find(|k| kind_name(*k) == row.kind)
            .ok_or_else(|| at.corrupt("kind", format!("unknown value {:?}", row.kind)))?;
        Ok(StoredToken {
            kind,
            client_id: at.client_id(row.client_id.clone())?,
            granted_scope: at.json("granted_scope", &row.granted_scope)?,
            granted_audience: at.json("granted_audience", &row.granted_audience)?,
            session: at.json("session", &row.session)?,
            request_id: RequestId::from_stored(row.request_id),
            subject: row.subject,
            issued_at: Now::from_unix_micros(row.issued_at),
            expires_at: row.expires_at.map(Now::from_unix_micros),
            active: row.active,
            signature: TokenSignature::from_stored(row.signature),
        })
    }
}

/// A `$ty` (`LoginRequest` or `ConsentRequest`, which share these field names) from the
/// [`FlowRow`] `$flow` of `$table`, plus the `$field: $value`s only that type has; `?` returns
/// `Corrupt` for an undecodable column.
macro_rules! flow_request {
    ($ty:ident, $table:literal, $flow:expr, { $($field:ident: $value:expr),* $(,)? }) => {{
        let flow: FlowRow = $flow;
        let at = At {
            table: $table,
            key: &flow.challenge,
        };
        $ty {
            client_id: at.client_id(flow.client_id.clone())?,
            requested_scope: at.json("requested_scope", &flow.requested_scope)?,
            oidc_context: at.json("oidc_context", &flow.oidc_context)?,
            outcome: at.opt_json("outcome", flow.outcome.as_deref())?,
            $($field: $value,)*
            verifier: FlowId::from_stored(flow.verifier),
            csrf: FlowId::from_stored(flow.csrf),
            subject: flow.subject,
            skip: flow.skip,
            request_url: flow.request_url,
            login_session_id: flow.login_session_id,
            requested_at: Now::from_unix_micros(flow.requested_at),
            verifier_used: flow.verifier_used,
            challenge: FlowId::from_stored(flow.challenge),
        }
    }};
}

impl TryFrom<LoginRequestRow> for LoginRequest {
    type Error = StoreError;

    fn try_from(row: LoginRequestRow) -> Result<Self, StoreError> {
        Ok(
            flow_request!(LoginRequest, "oxydra_login_request", row.flow, {
                authenticated_at: row.authenticated_at.map(Now::from_unix_micros),
            }),
        )
    }
}

impl TryFrom<ConsentRequestRow> for ConsentRequest {
    type Error = StoreError;

    fn try_from(row: ConsentRequestRow) -> Result<Self, StoreError> {
        let at = At {
            table: "oxydra_consent_request",
            key: &row.flow.challenge,
        };
        let amr = at.json("amr", &row.amr)?;
        let context = at.opt_json("context", row.context.as_deref())?;
        Ok(
            flow_request!(ConsentRequest, "oxydra_consent_request", row.flow, {
                login_challenge: FlowId::from_stored(row.login_challenge),
                authenticated_at: Now::from_unix_micros(row.authenticated_at),
                acr: row.acr,
                amr: amr,
                context: context,
                handled_at: row.handled_at.map(Now::from_unix_micros),
            }),
        )
    }
}

impl From<LoginSessionRow> for LoginSession {
    fn from(row: LoginSessionRow) -> Self {
        LoginSession {
            id: row.id,
            subject: row.subject,
            authenticated_at: Now::from_unix_micros(row.authenticated_at),
            expires_at: Now::from_unix_micros(row.expires_at),
        }
    }
}

/// A row of `oxydra_legacy_consent_request`, in the column order of `sql::legacy_consent`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct LegacyConsentRow {
    pub(crate) id: String,
    pub(crate) csrf: String,
    pub(crate) client_id: String,
    pub(crate) requested_scope: String,
    pub(crate) redirect_url: String,
    pub(crate) requested_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) outcome: Option<String>,
    pub(crate) handled_at: Option<i64>,
    pub(crate) used: bool,
}

impl TryFrom<LegacyConsentRow> for LegacyConsentRequest {
    type Error = StoreError;

    fn try_from(row: LegacyConsentRow) -> Result<Self, StoreError> {
        let at = At {
            table: "oxydra_legacy_consent_request",
            key: &row.id,
        };
        Ok(LegacyConsentRequest {
            csrf: FlowId::from_stored(row.csrf),
            client_id: at.client_id(row.client_id)?,
            requested_scope: at.json("requested_scope", &row.requested_scope)?,
            requested_at: Now::from_unix_micros(row.requested_at),
            expires_at: Now::from_unix_micros(row.expires_at),
            outcome: at.opt_json("outcome", row.outcome.as_deref())?,
            handled_at: row.handled_at.map(Now::from_unix_micros),
            used: row.used,
            redirect_url: row.redirect_url,
            id: row.id,
        })
    }
}

/// A row of `oxydra_device_grant`, in the column order of `sql::device`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct DeviceGrantRow {
    pub(crate) signature: String,
    pub(crate) user_code_hash: String,
    pub(crate) challenge: String,
    pub(crate) client_id: String,
    pub(crate) requested_scope: String,
    pub(crate) requested_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) poll_interval: i64,
    pub(crate) last_polled_at: Option<i64>,
    pub(crate) status: String,
    pub(crate) approval: Option<String>,
}

impl TryFrom<DeviceGrantRow> for DeviceGrant {
    type Error = StoreError;

    fn try_from(row: DeviceGrantRow) -> Result<Self, StoreError> {
        let at = At {
            table: "oxydra_device_grant",
            key: &row.signature,
        };
        let approval = at.opt_json("approval", row.approval.as_deref())?;
        let state = DeviceState::from_stored(&row.status, approval)
            .ok_or_else(|| at.corrupt("status", format!("unusable value {:?}", row.status)))?;
        Ok(DeviceGrant {
            client_id: at.client_id(row.client_id)?,
            requested_scope: at.json("requested_scope", &row.requested_scope)?,
            user_code_hash: row.user_code_hash,
            challenge: FlowId::from_stored(row.challenge),
            requested_at: Now::from_unix_micros(row.requested_at),
            expires_at: Now::from_unix_micros(row.expires_at),
            interval_secs: row.poll_interval,
            last_polled_at: row.last_polled_at.map(Now::from_unix_micros),
            state,
            signature: TokenSignature::from_stored(row.signature),
        })
    }
}

/// A row of `oxydra_pushed_request`, in the column order of `sql::par`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PushedRequestRow {
    pub(crate) key_hash: String,
    pub(crate) client_id: String,
    pub(crate) params: String,
    pub(crate) requested_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) used: bool,
}

impl TryFrom<PushedRequestRow> for PushedRequest {
    type Error = StoreError;

    fn try_from(row: PushedRequestRow) -> Result<Self, StoreError> {
        let at = At {
            table: "oxydra_pushed_request",
            key: &row.key_hash,
        };
        Ok(PushedRequest {
            client_id: at.client_id(row.client_id)?,
            params: at.json("params", &row.params)?,
            requested_at: Now::from_unix_micros(row.requested_at),
            expires_at: Now::from_unix_micros(row.expires_at),
            used: row.used,
            key_hash: row.key_hash,
        })
    }
}

impl TryFrom<LogoutRequestRow> for LogoutRequest {
    type Error = StoreError;

    fn try_from(row: LogoutRequestRow) -> Result<Self, StoreError> {
        let at = At {
            table: "oxydra_logout_request",
            key: &row.challenge,
        };
        Ok(LogoutRequest {
            client_id: row.client_id.map(|c| at.client_id(c)).transpose()?,
            challenge: FlowId::from_stored(row.challenge),
            verifier: FlowId::from_stored(row.verifier),
            subject: row.subject,
            session_id: row.session_id,
            request_url: row.request_url,
            rp_initiated: row.rp_initiated,
            redirect_to: row.redirect_to,
            requested_at: Now::from_unix_micros(row.requested_at),
            accepted: row.accepted,
            verifier_used: row.verifier_used,
        })
    }
}

/// A row of `oxydra_jwk`, in the column order of `sql::keys`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct KeyRow {
    pub(crate) set_id: String,
    pub(crate) kid: String,
    pub(crate) alg: String,
    pub(crate) key_use: String,
    pub(crate) created_at: i64,
    pub(crate) encrypted: String,
}

impl From<KeyRow> for oxydra_core::jwk::StoredKey {
    fn from(row: KeyRow) -> Self {
        Self {
            set: row.set_id,
            kid: row.kid,
            alg: row.alg,
            key_use: row.key_use,
            created_at: Now::from_unix_micros(row.created_at),
            encrypted: row.encrypted,
        }
    }
}

/// A row of `oxydra_policy`, in the column order of `sql::policies`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct PolicyRow {
    pub(crate) id: String,
    pub(crate) description: String,
    pub(crate) effect: String,
    pub(crate) subjects: String,
    pub(crate) resources: String,
    pub(crate) actions: String,
    pub(crate) conditions: String,
}

/// One stored condition: `{type, options}` in the `conditions` JSON object.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredCondition {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) options: serde_json::Value,
}

/// The policy revision.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RevisionRow {
    pub(crate) revision: i64,
}

impl TryFrom<PolicyRow> for oxydra_core::policy::Policy {
    type Error = StoreError;

    fn try_from(row: PolicyRow) -> Result<Self, StoreError> {
        use oxydra_core::policy::{Condition, Effect};
        let at = At {
            table: "oxydra_policy",
            key: &row.id,
        };
        let effect = Effect::parse(&row.effect).map_err(|e| at.corrupt("effect", e))?;
        let stored: std::collections::BTreeMap<String, StoredCondition> =
            at.json("conditions", &row.conditions)?;
        let conditions = stored
            .into_iter()
            .map(|(key, c)| {
                Condition::parse(&c.kind, &c.options)
                    .map(|condition| (key, condition))
                    .map_err(|e| at.corrupt("conditions", e))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            subjects: at.json("subjects", &row.subjects)?,
            resources: at.json("resources", &row.resources)?,
            actions: at.json("actions", &row.actions)?,
            effect,
            conditions,
            id: row.id,
            description: row.description,
        })
    }
}

/// A row of `oxydra_jwt_bearer_trust`, in the column order of `sql::trust`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct TrustRow {
    pub(crate) id: String,
    pub(crate) issuer: String,
    pub(crate) subject: String,
    pub(crate) allow_any_subject: bool,
    pub(crate) scope: String,
    pub(crate) key_id: String,
    pub(crate) public_key: String,
    pub(crate) created_at: i64,
    pub(crate) expires_at: i64,
}

impl TryFrom<TrustRow> for TrustedIssuer {
    type Error = StoreError;

    fn try_from(row: TrustRow) -> Result<Self, StoreError> {
        let at = At {
            table: "oxydra_jwt_bearer_trust",
            key: &row.id,
        };
        Ok(TrustedIssuer {
            scope: at.json("scope", &row.scope)?,
            public_key: at.json("public_key", &row.public_key)?,
            id: row.id,
            issuer: row.issuer,
            subject: row.subject,
            allow_any_subject: row.allow_any_subject,
            key_id: row.key_id,
            created_at: Now::from_unix_micros(row.created_at),
            expires_at: Now::from_unix_micros(row.expires_at),
        })
    }
}
