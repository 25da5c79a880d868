//! `FlowStore` for `SqlStore`: login and consent requests, their single-use verifiers,
//! remembered login sessions, and the consent sessions (grants) they become.
//!
//! Answers and redemptions are one conditional statement each (`UPDATE … WHERE outcome IS
//! NULL` / `WHERE verifier_used = FALSE`), so concurrent callers get exactly one winner; the
//! loser's follow-up lookup only classifies its failure. Login and consent requests share one
//! implementation of both, parameterised by [`Table`].

use oxydra_core::flow::login::SessionChange;
use oxydra_core::flow::{
    ConsentOutcome, ConsentRequest, FlowId, LoginOutcome, LoginRequest, LoginSession, VerifierUse,
};
use oxydra_core::model::{ClientId, Now};
use oxydra_core::store::{FlowStore, StoreError};
use oxydra_core::token::{FlushCriteria, StoredToken, TokenKind};

use crate::SqlStore;
use crate::args::{json_list, json_text};
use crate::db::{AnyRow, Arg, Db, Stmt};
use crate::impls::flow_intents;
use crate::impls::tokens::delete_until_quiet;
use crate::rows::{
    ConsentRequestRow, LoginRequestRow, LoginSessionRow, VerifierUsedRow, kind_name,
};
use crate::sql::flows as sql;

/// The statements of one request table that answering and redeeming need.
pub(super) struct Table {
    /// The table, for `Conflict` reports.
    name: &'static str,
    /// `$1` challenge → the request.
    get: &'static Stmt,
    /// `$1` verifier → the request, not redeemed.
    by_verifier: &'static Stmt,
    /// `$1` verifier → the request, now marked used.
    pub(super) use_verifier: &'static Stmt,
    /// `$1` verifier → whether it was used.
    pub(super) verifier_used: &'static Stmt,
}

/// `oxydra_login_request`.
pub(super) const LOGIN: Table = Table {
    name: "oxydra_login_request",
    get: &sql::GET_LOGIN,
    by_verifier: &sql::LOGIN_BY_VERIFIER,
    use_verifier: &sql::USE_LOGIN_VERIFIER,
    verifier_used: &sql::LOGIN_VERIFIER_USED,
};

/// `oxydra_consent_request`.
pub(super) const CONSENT: Table = Table {
    name: "oxydra_consent_request",
    get: &sql::GET_CONSENT,
    by_verifier: &sql::CONSENT_BY_VERIFIER,
    use_verifier: &sql::USE_CONSENT_VERIFIER,
    verifier_used: &sql::CONSENT_VERIFIER_USED,
};

/// A text argument from a flow id.
pub(super) fn id_arg(id: &FlowId) -> Arg {
    Arg::Text(id.as_str().to_owned())
}

/// The optional client filter (`$2` of the consent-session statements).
fn client_arg(client: Option<&ClientId>) -> Arg {
    Arg::OptText(client.map(|c| c.as_str().to_owned()))
}

/// The optional outcome as nullable JSON text.
fn outcome_arg<T: serde::Serialize>(outcome: Option<&T>) -> Result<Arg, StoreError> {
    outcome
        .map(|o| json_text("a flow outcome", o))
        .transpose()
        .map(Arg::OptText)
}

/// The columns both request tables start with, `challenge` to `oidc_context`, of a
/// [`LoginRequest`] or [`ConsentRequest`] (same field names); `?` returns encoding errors.
macro_rules! common_args {
    ($r:expr) => {
        vec![
            id_arg(&$r.challenge),
            id_arg(&$r.verifier),
            id_arg(&$r.csrf),
            Arg::Text($r.client_id.as_str().to_owned()),
            Arg::Text($r.subject.clone()),
            Arg::Bool($r.skip),
            json_list(&$r.requested_scope)?,
            Arg::Text($r.request_url.clone()),
            Arg::Json(json_text("an OIDC context", &$r.oidc_context)?),
        ]
    };
}

/// The parameters of `sql::flows::INSERT_LOGIN`, in column order.
fn login_args(r: &LoginRequest) -> Result<Vec<Arg>, StoreError> {
    let mut args = common_args!(r);
    args.extend([
        Arg::OptText(r.login_session_id.clone()),
        Arg::Int(r.requested_at.unix_micros()),
        Arg::OptInt(r.authenticated_at.map(Now::unix_micros)),
        outcome_arg(r.outcome.as_ref())?,
        Arg::Bool(r.verifier_used),
    ]);
    Ok(args)
}

/// `accepted`, `remember` and `remember_for` as copied from a consent outcome.
fn remembered_args(outcome: Option<&ConsentOutcome>) -> [Arg; 3] {
    let (accepted, remember, remember_for) = match outcome {
        Some(ConsentOutcome::Accepted {
            remember,
            remember_for,
            ..
        }) => (true, *remember, *remember_for),
        Some(ConsentOutcome::Rejected(_)) | None => (false, false, 0),
    };
    [
        Arg::Bool(accepted),
        Arg::Bool(remember),
        Arg::Int(remember_for),
    ]
}

/// The parameters of `sql::flows::INSERT_CONSENT`, in column order.
pub(super) fn consent_args(r: &ConsentRequest) -> Result<Vec<Arg>, StoreError> {
    let mut args = common_args!(r);
    args.extend([
        id_arg(&r.login_challenge),
        Arg::OptText(r.login_session_id.clone()),
        Arg::Int(r.requested_at.unix_micros()),
        Arg::Int(r.authenticated_at.unix_micros()),
        Arg::Text(r.acr.clone()),
        outcome_arg(r.outcome.as_ref())?,
        Arg::OptInt(r.handled_at.map(Now::unix_micros)),
        Arg::Bool(r.verifier_used),
        json_list(&r.amr)?,
        match &r.context {
            Some(context) => Arg::OptText(Some(json_text("a context", context)?)),
            None => Arg::OptText(None),
        },
    ]);
    args.extend(remembered_args(r.outcome.as_ref()));
    Ok(args)
}

/// The parameters of `sql::flows::INSERT_LOGIN_SESSION`.
pub(super) fn session_args(session: &LoginSession) -> [Arg; 4] {
    [
        Arg::Text(session.id.clone()),
        Arg::Text(session.subject.clone()),
        Arg::Int(session.authenticated_at.unix_micros()),
        Arg::Int(session.expires_at.unix_micros()),
    ]
}

/// Loads a request by `stmt` (`$1` its challenge or verifier).
async fn get_request<R, T>(
    db: &Db,
    stmt: &'static Stmt,
    key: &FlowId,
) -> Result<Option<T>, StoreError>
where
    R: AnyRow,
    T: TryFrom<R, Error = StoreError>,
{
    let row: Option<R> = db.fetch_optional(stmt, &[id_arg(key)]).await?;
    row.map(T::try_from).transpose()
}

/// Runs the answering `stmt` (`$1` the challenge); when it changed no row, tells an unknown
/// request (`NotFound`) from one answered already (`Conflict`).
async fn answer<R, T>(
    db: &Db,
    table: &Table,
    stmt: &'static Stmt,
    args: &[Arg],
    challenge: &FlowId,
) -> Result<T, StoreError>
where
    R: AnyRow,
    T: TryFrom<R, Error = StoreError>,
{
    if let Some(row) = db.fetch_optional::<R>(stmt, args).await? {
        return T::try_from(row);
    }
    match get_request::<R, T>(db, table.get, challenge).await? {
        Some(_) => Err(StoreError::Conflict {
            constraint: Some(format!("{}: answered already", table.name)),
        }),
        None => Err(StoreError::NotFound),
    }
}

/// Redeems a verifier of `table`: the one conditional update decides, the lookup after a miss
/// only tells a used verifier from an unknown or unanswered one.
async fn redeem<R, T>(
    db: &Db,
    table: &Table,
    verifier: &FlowId,
) -> Result<VerifierUse<T>, StoreError>
where
    R: AnyRow,
    T: TryFrom<R, Error = StoreError>,
{
    let args = [id_arg(verifier)];
    if let Some(row) = db.fetch_optional::<R>(table.use_verifier, &args).await? {
        return T::try_from(row).map(VerifierUse::Fresh);
    }
    let used: Option<VerifierUsedRow> = db.fetch_optional(table.verifier_used, &args).await?;
    Ok(match used {
        Some(VerifierUsedRow {
            verifier_used: true,
        }) => VerifierUse::AlreadyUsed,
        _ => VerifierUse::Unknown,
    })
}

impl FlowStore for SqlStore {
    #[tracing::instrument(name = "store.create_login_request", level = "debug", skip_all)]
    async fn create_login_request(&self, request: &LoginRequest) -> Result<(), StoreError> {
        let args = login_args(request)?;
        self.db.execute(&sql::INSERT_LOGIN, &args).await.map(drop)
    }

    #[tracing::instrument(name = "store.get_login_request", level = "debug", skip_all)]
    async fn get_login_request(
        &self,
        challenge: &FlowId,
    ) -> Result<Option<LoginRequest>, StoreError> {
        get_request::<LoginRequestRow, _>(&self.db, LOGIN.get, challenge).await
    }

    #[tracing::instrument(
        name = "store.get_login_request_by_verifier",
        level = "debug",
        skip_all
    )]
    async fn get_login_request_by_verifier(
        &self,
        verifier: &FlowId,
    ) -> Result<Option<LoginRequest>, StoreError> {
        get_request::<LoginRequestRow, _>(&self.db, LOGIN.by_verifier, verifier).await
    }

    #[tracing::instrument(name = "store.handle_login_request", level = "debug", skip_all)]
    async fn handle_login_request(
        &self,
        challenge: &FlowId,
        outcome: &LoginOutcome,
    ) -> Result<LoginRequest, StoreError> {
        let args = [id_arg(challenge), outcome_arg(Some(outcome))?];
        answer::<LoginRequestRow, _>(&self.db, &LOGIN, &sql::HANDLE_LOGIN, &args, challenge).await
    }

    #[tracing::instrument(name = "store.use_login_verifier", level = "debug", skip_all)]
    async fn use_login_verifier(
        &self,
        verifier: &FlowId,
    ) -> Result<VerifierUse<LoginRequest>, StoreError> {
        redeem::<LoginRequestRow, _>(&self.db, &LOGIN, verifier).await
    }

    #[tracing::instrument(name = "store.create_consent_request", level = "debug", skip_all)]
    async fn create_consent_request(&self, request: &ConsentRequest) -> Result<(), StoreError> {
        let args = consent_args(request)?;
        self.db.execute(&sql::INSERT_CONSENT, &args).await.map(drop)
    }

    #[tracing::instrument(name = "store.get_consent_request", level = "debug", skip_all)]
    async fn get_consent_request(
        &self,
        challenge: &FlowId,
    ) -> Result<Option<ConsentRequest>, StoreError> {
        get_request::<ConsentRequestRow, _>(&self.db, CONSENT.get, challenge).await
    }

    #[tracing::instrument(
        name = "store.get_consent_request_by_verifier",
        level = "debug",
        skip_all
    )]
    async fn get_consent_request_by_verifier(
        &self,
        verifier: &FlowId,
    ) -> Result<Option<ConsentRequest>, StoreError> {
        get_request::<ConsentRequestRow, _>(&self.db, CONSENT.by_verifier, verifier).await
    }

    #[tracing::instrument(name = "store.handle_consent_request", level = "debug", skip_all)]
    async fn handle_consent_request(
        &self,
        challenge: &FlowId,
        outcome: &ConsentOutcome,
        now: Now,
    ) -> Result<ConsentRequest, StoreError> {
        let mut args = vec![
            id_arg(challenge),
            outcome_arg(Some(outcome))?,
            Arg::Int(now.unix_micros()),
        ];
        args.extend(remembered_args(Some(outcome)));
        answer::<ConsentRequestRow, _>(&self.db, &CONSENT, &sql::HANDLE_CONSENT, &args, challenge)
            .await
    }

    #[tracing::instrument(name = "store.use_consent_verifier", level = "debug", skip_all)]
    async fn use_consent_verifier(
        &self,
        verifier: &FlowId,
    ) -> Result<VerifierUse<ConsentRequest>, StoreError> {
        redeem::<ConsentRequestRow, _>(&self.db, &CONSENT, verifier).await
    }

    #[tracing::instrument(name = "store.login_to_consent", level = "debug", skip_all)]
    async fn login_to_consent(
        &self,
        verifier: &FlowId,
        session: &SessionChange,
        consent: Option<&ConsentRequest>,
    ) -> Result<VerifierUse<LoginRequest>, StoreError> {
        flow_intents::login_to_consent(&self.db, verifier, session, consent).await
    }

    #[tracing::instrument(name = "store.consent_to_code", level = "debug", skip_all)]
    async fn consent_to_code(
        &self,
        verifier: &FlowId,
        tokens: &[StoredToken],
    ) -> Result<VerifierUse<ConsentRequest>, StoreError> {
        flow_intents::consent_to_code(self, verifier, tokens).await
    }

    #[tracing::instrument(name = "store.remembered_consents", level = "debug", skip_all)]
    async fn remembered_consents(
        &self,
        subject: &str,
        client: Option<&ClientId>,
        now: Now,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<ConsentRequest>, StoreError> {
        let mut args = vec![Arg::Text(subject.to_owned())];
        let stmt = match client {
            Some(client) => {
                args.push(Arg::Text(client.as_str().to_owned()));
                &sql::REMEMBERED_AT_CLIENT
            }
            None => &sql::REMEMBERED,
        };
        args.extend([
            Arg::Int(now.unix_secs()),
            Arg::Int(i64::from(limit)),
            Arg::Int(i64::from(offset)),
        ]);
        let rows: Vec<ConsentRequestRow> = self.db.fetch_all(stmt, &args).await?;
        rows.into_iter().map(ConsentRequest::try_from).collect()
    }

    #[tracing::instrument(name = "store.revoke_consent_sessions", level = "debug", skip_all)]
    async fn revoke_consent_sessions(
        &self,
        subject: &str,
        client: Option<&ClientId>,
    ) -> Result<u64, StoreError> {
        let of = |kind: TokenKind| {
            [
                Arg::Text(subject.to_owned()),
                client_arg(client),
                Arg::Text(kind_name(kind).to_owned()),
            ]
        };
        let (codes, refresh, access) = (
            of(TokenKind::AuthorizeCode),
            of(TokenKind::RefreshToken),
            of(TokenKind::AccessToken),
        );
        let _revoking = self.token_cache.revoking();
        let mut tx = self.db.begin().await?;
        // Codes first: an exchange in flight holds its code's lock, so this waits for it and
        // the rounds below (fresh snapshots) then see the tokens it issued.
        tx.execute(&sql::DELETE_SESSION_TOKENS, &codes).await?;
        delete_until_quiet(
            &mut tx,
            &[
                (&sql::DELETE_SESSION_TOKENS, &refresh),
                (&sql::DELETE_SESSION_TOKENS, &access),
            ],
        )
        .await?;
        let deleted = tx
            .execute(
                &sql::DELETE_SESSIONS,
                &[Arg::Text(subject.to_owned()), client_arg(client)],
            )
            .await?;
        tx.commit().await?;
        Ok(deleted)
    }

    #[tracing::instrument(name = "store.create_login_session", level = "debug", skip_all)]
    async fn create_login_session(&self, session: &LoginSession) -> Result<(), StoreError> {
        let args = session_args(session);
        self.db
            .execute(&sql::INSERT_LOGIN_SESSION, &args)
            .await
            .map(drop)
    }

    #[tracing::instrument(name = "store.get_login_session", level = "debug", skip_all)]
    async fn get_login_session(&self, id: &str) -> Result<Option<LoginSession>, StoreError> {
        let row: Option<LoginSessionRow> = self
            .db
            .fetch_optional(&sql::GET_LOGIN_SESSION, &[Arg::Text(id.to_owned())])
            .await?;
        Ok(row.map(LoginSession::from))
    }

    #[tracing::instrument(name = "store.delete_login_session", level = "debug", skip_all)]
    async fn delete_login_session(&self, id: &str) -> Result<bool, StoreError> {
        let deleted = self
            .db
            .execute(&sql::DELETE_LOGIN_SESSION, &[Arg::Text(id.to_owned())])
            .await?;
        Ok(deleted > 0)
    }

    #[tracing::instrument(name = "store.delete_login_sessions_of", level = "debug", skip_all)]
    async fn delete_login_sessions_of(&self, subject: &str) -> Result<u64, StoreError> {
        self.db
            .execute(
                &sql::DELETE_LOGIN_SESSIONS_OF,
                &[Arg::Text(subject.to_owned())],
            )
            .await
    }

    #[tracing::instrument(name = "store.flush_login_sessions", level = "debug", skip_all)]
    async fn flush_login_sessions(&self, criteria: FlushCriteria) -> Result<u64, StoreError> {
        let args = [
            Arg::Int(criteria.expired_before.unix_micros()),
            Arg::Int(criteria.issued_before.unix_micros()),
            Arg::Int(i64::from(criteria.batch_size)),
        ];
        self.db.execute(&sql::FLUSH_LOGIN_SESSIONS, &args).await
    }

    #[tracing::instrument(name = "store.flush_flows", level = "debug", skip_all)]
    async fn flush_flows(
        &self,
        criteria: FlushCriteria,
        round_trip: std::time::Duration,
    ) -> Result<u64, StoreError> {
        let requested_before = Arg::Int(criteria.issued_before.unix_micros());
        // `requested_at + round_trip < expired_before`, without overflowing.
        let over_before = Arg::Int(criteria.expired_before.minus(round_trip).unix_micros());
        let batch = u64::from(criteria.batch_size);
        let logins = self
            .db
            .execute(
                &sql::FLUSH_LOGINS,
                &[
                    requested_before.clone(),
                    over_before.clone(),
                    Arg::Int(i64::from(criteria.batch_size)),
                ],
            )
            .await?;
        let budget = batch.saturating_sub(logins);
        if budget == 0 {
            return Ok(logins);
        }
        let consents = self
            .db
            .execute(
                &sql::FLUSH_CONSENTS,
                &[
                    requested_before.clone(),
                    over_before.clone(),
                    Arg::Int(criteria.expired_before.unix_secs()),
                    Arg::Int(i64::try_from(budget).unwrap_or(i64::MAX)),
                ],
            )
            .await?;
        let budget = budget.saturating_sub(consents);
        if budget == 0 {
            return Ok(logins + consents);
        }
        let logouts =
            crate::impls::logout::flush(&self.db, requested_before, over_before, budget).await?;
        Ok(logins + consents + logouts)
    }
}
