//! `TokenStore` for `SqlStore`: issued tokens by signature, rotation and replay detection, and
//! client-assertion `jti` replay protection.
//!
//! Every multi-statement method runs in one [`Tx`] (on SQLite a `BEGIN IMMEDIATE` write
//! transaction on the engine's one writer; the use and rotation of a token, the request path's
//! transactions, run there whole through `Db::transaction`). Races are
//! settled by conditional statements, not by reading first: `UPDATE … WHERE active = TRUE`
//! for token use and `INSERT … ON CONFLICT … WHERE expired` for `jti`s.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use oxydra_core::model::{ClientId, Now};
use oxydra_core::store::{StoreError, TokenStore};
use oxydra_core::token::{
    FlushCriteria, GraceRule, RequestId, RotateOutcome, RotatedFacts, StoredToken, Successor,
    TokenKind, TokenSignature, UseOutcome,
};

use crate::SqlStore;
use crate::args::insert_args;
use crate::db::{Arg, Stmt, Tx};
use crate::dsn::Backend;
use crate::error::is_foreign_key_violation;
use crate::rows::{RequestRow, RotatedRow, TokenRow, kind_name};
use crate::sql::tokens as sql;

/// How many expired `jti` records (of any client) one claim deletes on the side, so the table
/// stays bounded without a background job and no claim does unbounded work.
const JTI_CLEANUP_BATCH: i64 = 100;

/// One claim in this many also deletes up to [`JTI_CLEANUP_BATCH`] expired records: up to
/// six deletions per claim, so the table stays bounded by the claims of one proof lifetime
/// without the janitor, at a sixteenth of the cost of cleaning on every claim.
pub(crate) const JTI_CLEANUP_EVERY: u64 = 16;

/// Rows per flush statement on PostgreSQL (see [`TokenStore::flush_batch_size`]): measured
/// with psql on 300,000 expired rows, 1,000-row batches took ~27 ms each and 10,000-row
/// batches ~72 ms, so a million rows flush in about 7 s instead of 27 s.
const POSTGRES_FLUSH_BATCH_SIZE: u32 = 10_000;

/// After a full flush batch, the flush waits this many times as long as the batch took before
/// the next one: a flush takes at most half of the write lock (SQLite) or of a core
/// (PostgreSQL, MySQL), and the token traffic beside it keeps its tail latency.
const FLUSH_PAUSE_RATIO: u32 = 1;

/// Waits before the next flush batch when `deleted` filled the batch (more rows follow),
/// in proportion to how long the batch took (see [`FLUSH_PAUSE_RATIO`]).
async fn pace_flush(deleted: u64, batch_size: u32, took: Duration) {
    if deleted >= u64::from(batch_size) {
        tokio::time::sleep(took * FLUSH_PAUSE_RATIO).await;
    }
}

/// `$1` signature, `$2` kind: the key of every single-token statement.
fn key_args(kind: TokenKind, signature: &TokenSignature) -> [Arg; 2] {
    [
        Arg::Text(signature.as_str().to_owned()),
        Arg::Text(kind_name(kind).to_owned()),
    ]
}

/// Deletion rounds [`delete_until_quiet`] makes at most; each round after the first only runs
/// when the previous one found rows, so two rounds is the normal case.
const REVOKE_ROUNDS: usize = 4;

/// Runs the `deletes` (refresh tokens first, then access tokens) inside `tx` in rounds until a
/// round deletes nothing; returns how many rows they deleted.
///
/// On PostgreSQL (`READ COMMITTED`) one `DELETE` sees only rows committed when it started, so a
/// rotation of a grant's current refresh token running at the same time could slip its new
/// tokens past a single statement. Hence:
/// - refresh tokens go first: a concurrent rotation holds the lock on its refresh token, so
///   this waits for it to commit while holding only refresh-token locks, which the rotation
///   never needs (no deadlock);
/// - then access tokens, and further rounds, each with a fresh snapshot that includes what
///   the rotation committed, until a round finds nothing.
///
/// A rotation that has not locked its token yet waits for this transaction and then finds the
/// token gone. On SQLite writers are serialised and the second round finds nothing.
pub(crate) async fn delete_until_quiet(
    tx: &mut Tx<'_>,
    deletes: &[(&'static Stmt, &[Arg])],
) -> Result<u64, StoreError> {
    let mut total = 0;
    for _ in 0..REVOKE_ROUNDS {
        let mut round = 0;
        for (stmt, args) in deletes {
            round += tx.execute(stmt, args).await?;
        }
        total += round;
        if round == 0 {
            break;
        }
    }
    Ok(total)
}

/// Deletes every refresh and access token of `request_id` inside `tx`; returns how many (see
/// [`delete_until_quiet`]).
pub(crate) async fn revoke_grant(tx: &mut Tx<'_>, request_id: &str) -> Result<u64, StoreError> {
    let args = [Arg::Text(request_id.to_owned())];
    delete_until_quiet(
        tx,
        &[
            (&sql::DELETE_REFRESH_OF_REQUEST, &args),
            (&sql::DELETE_ACCESS_OF_REQUEST, &args),
        ],
    )
    .await
}

/// Inserts every token inside `tx`; the first failure (e.g. a duplicate signature) aborts.
pub(crate) async fn insert_all(tx: &mut Tx<'_>, tokens: &[StoredToken]) -> Result<(), StoreError> {
    for t in tokens {
        // Deferred: on SQLite the inserts go to the writer with the commit; a failed one
        // fails the commit, which rolls everything back.
        tx.execute_deferred(&sql::INSERT, &insert_args(t)?).await?;
    }
    Ok(())
}

/// Settles a presentation of the rotated refresh token `signature` inside `tx` (see
/// [`TokenStore::rotate_refresh`]): the grace answer when `rule` allows it, else the grant
/// revoked. The caller commits either way.
///
/// The rotated row is read without a lock (it stays inactive for good, and its grace columns
/// change only when the grant rotates again, which [`GraceRule::allows`] then refuses through
/// the successor); the successor is locked while it is checked, so a concurrent rotation of it
/// either commits first (and the check sees it inactive) or waits for this answer.
async fn settle_rotated(
    tx: &mut Tx<'_>,
    signature: &TokenSignature,
    rule: &GraceRule,
) -> Result<RotateOutcome, StoreError> {
    let facts: Option<RotatedRow> = tx
        .fetch_optional(
            &sql::ROTATED_FACTS,
            &[Arg::Text(signature.as_str().to_owned())],
        )
        .await?;
    let Some(row) = facts else {
        return Ok(RotateOutcome::Unknown);
    };
    let successor_active = match &row.grace_successor {
        Some(successor) => tx
            .fetch_optional::<RequestRow>(
                &sql::LOCK_ACTIVE_REFRESH,
                &[Arg::Text(successor.clone())],
            )
            .await?
            .is_some(),
        None => false,
    };
    let client_id = oxydra_core::model::ClientId::parse(&row.client_id)
        .map_err(|_| StoreError::Corrupt(format!("oxydra_token: client id {:?}", row.client_id)))?;
    let judged = RotatedFacts {
        client_id,
        rotated_at: row.rotated_at.map(Now::from_unix_micros),
        sealed: row.grace_sealed.is_some(),
        successor_active,
    };
    if rule.allows(&judged)
        && let Some(sealed) = row.grace_sealed
    {
        return Ok(RotateOutcome::Graced(sealed));
    }
    revoke_grant(tx, &row.request_id).await?;
    Ok(RotateOutcome::Replayed)
}

/// `TokenStore::use_token` inside `tx`: deactivate, then store `issued`; or, for a token used
/// already, revoke its grant (committed even though the caller answers with an error: RFC 6749
/// §4.1.2, RFC 9700 §4.14.2).
async fn use_in(
    tx: &mut Tx<'_>,
    kind: TokenKind,
    key: &[Arg; 2],
    issued: &[StoredToken],
) -> Result<UseOutcome, StoreError> {
    // First statement, and a write: whoever deactivates the row owns this use.
    let used: Option<RequestRow> = tx.fetch_optional(&sql::DEACTIVATE, key).await?;
    if let Some(RequestRow { request_id }) = used {
        if kind == TokenKind::RefreshToken {
            // RFC 9700 §4.14.2: the access tokens of the rotated grant die with it.
            tx.execute_deferred(&sql::DELETE_ACCESS_OF_REQUEST, &[Arg::Text(request_id)])
                .await?;
        }
        // An error here rolls back: the token stays active and nothing is stored.
        insert_all(tx, issued).await?;
        return Ok(UseOutcome::Used);
    }
    let existing: Option<RequestRow> = tx.fetch_optional(&sql::REQUEST_OF, key).await?;
    let Some(RequestRow { request_id }) = existing else {
        return Ok(UseOutcome::Unknown);
    };
    revoke_grant(tx, &request_id).await?;
    Ok(UseOutcome::Replayed)
}

/// The rows of a refresh token's rotation, owned, for [`rotate_in`].
struct Rotation {
    /// `sql::DEACTIVATE_FOR_GRACE`'s arguments.
    deactivate: [Arg; 5],
    /// The successor's rows.
    rows: Vec<StoredToken>,
}

/// `TokenStore::rotate_refresh` inside `tx`.
async fn rotate_in(
    tx: &mut Tx<'_>,
    signature: &TokenSignature,
    rotation: Option<Rotation>,
    rule: &GraceRule,
) -> Result<RotateOutcome, StoreError> {
    if let Some(next) = rotation {
        // As in `use_token`: the conditional update decides which presentation rotates.
        let used: Option<RequestRow> = tx
            .fetch_optional(&sql::DEACTIVATE_FOR_GRACE, &next.deactivate)
            .await?;
        if let Some(RequestRow { request_id }) = used {
            let grant = Arg::Text(request_id);
            tx.execute(&sql::DELETE_ACCESS_OF_REQUEST, std::slice::from_ref(&grant))
                .await?;
            let keep = Arg::Text(signature.as_str().to_owned());
            tx.execute(&sql::ERASE_EARLIER_SEALS, &[grant, keep])
                .await?;
            insert_all(tx, &next.rows).await?;
            return Ok(RotateOutcome::Rotated);
        }
    }
    // Lost the race to a concurrent rotation (whose commit this statement waited for and
    // now sees), or presented an already rotated token.
    settle_rotated(tx, signature, rule).await
}

impl TokenStore for SqlStore {
    #[tracing::instrument(name = "store.insert_tokens", level = "debug", skip_all)]
    async fn insert_tokens(&self, tokens: &[StoredToken]) -> Result<(), StoreError> {
        if tokens.is_empty() {
            return Ok(());
        }
        match self.writer.insert(tokens.to_vec()).await {
            // The client was deleted (by another instance, since this one cached it): forget
            // the cached clients, so the next request is refused as an unknown client.
            Err(e) if is_foreign_key_violation(&e) => {
                self.client_cache.invalidate();
                Err(StoreError::NotFound)
            }
            other => other,
        }
    }

    #[tracing::instrument(name = "store.get_token", level = "debug", skip_all)]
    async fn get_token(
        &self,
        kind: TokenKind,
        signature: &TokenSignature,
    ) -> Result<Option<StoredToken>, StoreError> {
        let cache = &self.token_cache;
        let cached = kind == TokenKind::AccessToken && cache.enabled();
        if cached && let Some(token) = cache.lookup(signature.as_str()) {
            return Ok(Some(token));
        }
        // Taken before the read, for `fill` (only when the row may be kept).
        let read = cached.then(|| (cache.epoch(), Instant::now()));
        let row: Option<TokenRow> = self
            .db
            .fetch_optional(&sql::GET, &key_args(kind, signature))
            .await?;
        let token = row.map(StoredToken::try_from).transpose()?;
        if let (Some((epoch, read_at)), Some(token)) = (read, &token) {
            cache.fill(epoch, read_at, token);
        }
        Ok(token)
    }

    #[tracing::instrument(name = "store.use_token", level = "debug", skip_all)]
    async fn use_token(
        &self,
        kind: TokenKind,
        signature: &TokenSignature,
        issued: &[StoredToken],
    ) -> Result<UseOutcome, StoreError> {
        let key = key_args(kind, signature);
        let revoking = self.token_cache.revoking();
        let issued = issued.to_vec();
        let outcome = self
            .db
            .transaction(move |tx| Box::pin(async move { use_in(tx, kind, &key, &issued).await }))
            .await?;
        if kind == TokenKind::AuthorizeCode && outcome == UseOutcome::Used {
            // A code's first use deletes no access token.
            revoking.disarm();
        }
        Ok(outcome)
    }

    #[tracing::instrument(name = "store.rotate_refresh", level = "debug", skip_all)]
    async fn rotate_refresh(
        &self,
        signature: &TokenSignature,
        successor: Option<Successor<'_>>,
        rule: &GraceRule,
    ) -> Result<RotateOutcome, StoreError> {
        let _revoking = self.token_cache.revoking();
        let rotation = successor.map(|next| Rotation {
            deactivate: [
                Arg::Text(signature.as_str().to_owned()),
                Arg::Text(kind_name(TokenKind::RefreshToken).to_owned()),
                Arg::Int(next.rotated_at.unix_micros()),
                Arg::Text(next.refresh.as_str().to_owned()),
                Arg::Text(next.sealed.to_owned()),
            ],
            rows: next.rows.to_vec(),
        });
        let (signature, rule) = (signature.clone(), rule.clone());
        self.db
            .transaction(move |tx| {
                Box::pin(async move { rotate_in(tx, &signature, rotation, &rule).await })
            })
            .await
    }

    #[tracing::instrument(name = "store.revoke_request", level = "debug", skip_all)]
    async fn revoke_request(&self, request_id: &RequestId) -> Result<u64, StoreError> {
        let _revoking = self.token_cache.revoking();
        let request_id = request_id.as_str().to_owned();
        self.db
            .transaction(move |tx| {
                Box::pin(async move {
                    // Codes first: a code exchange in flight holds its code's lock, so this
                    // waits for it and the deletions below (fresh snapshots) then see the
                    // tokens it issued.
                    let args = [Arg::Text(request_id.clone())];
                    tx.execute(&sql::DEACTIVATE_CODES_OF_REQUEST, &args).await?;
                    revoke_grant(tx, &request_id).await
                })
            })
            .await
    }

    #[tracing::instrument(name = "store.revoke_client_tokens", level = "debug", skip_all)]
    async fn revoke_client_tokens(&self, client: &ClientId) -> Result<u64, StoreError> {
        let args = [Arg::Text(client.as_str().to_owned())];
        let _revoking = self.token_cache.revoking();
        self.db
            .transaction(move |tx| {
                Box::pin(async move {
                    // Codes first, as in `revoke_request`: an exchange in flight finishes
                    // before the deletion, which then sees the tokens it issued.
                    tx.execute(&sql::DEACTIVATE_CODES_OF_CLIENT, &args).await?;
                    tx.execute(&sql::DELETE_OF_CLIENT, &args).await
                })
            })
            .await
    }

    fn flush_batch_size(&self) -> u32 {
        match self.backend() {
            // Every statement's commit waits for the WAL to reach the disk (~10-20 ms here),
            // which 1,000-row batches paid a thousand times per million rows. InnoDB's redo
            // log is flushed per commit alike.
            Backend::Postgres | Backend::Mysql => POSTGRES_FLUSH_BATCH_SIZE,
            // WAL with synchronous=NORMAL: a commit does not wait for the disk, and a smaller
            // batch holds the one write lock for less time.
            Backend::Sqlite => oxydra_core::token::FLUSH_BATCH_SIZE,
        }
    }

    #[tracing::instrument(name = "store.flush_tokens", level = "debug", skip_all)]
    async fn flush_tokens(
        &self,
        kind: TokenKind,
        criteria: FlushCriteria,
    ) -> Result<u64, StoreError> {
        let args = [
            Arg::Text(kind_name(kind).to_owned()),
            Arg::Int(criteria.expired_before.unix_micros()),
            Arg::Int(criteria.issued_before.unix_micros()),
            Arg::Int(i64::from(criteria.batch_size)),
        ];
        // Expired rows only, but a flushed token should read as absent, not as kept.
        let revoking = self.token_cache.revoking();
        let started = Instant::now();
        let deleted = self.db.execute(&sql::FLUSH, &args).await?;
        drop(revoking);
        pace_flush(deleted, criteria.batch_size, started.elapsed()).await;
        Ok(deleted)
    }

    #[tracing::instrument(name = "store.flush_jtis", level = "debug", skip_all)]
    async fn flush_jtis(&self, criteria: FlushCriteria) -> Result<u64, StoreError> {
        let args = [
            Arg::Int(criteria.expired_before.unix_micros()),
            Arg::Int(i64::from(criteria.batch_size)),
        ];
        self.db.execute(&sql::FLUSH_JTIS, &args).await
    }

    #[tracing::instrument(name = "store.claim_jti", level = "debug", skip_all)]
    async fn claim_jti(
        &self,
        client_id: &ClientId,
        jti: &str,
        expires_at: Now,
        now: Now,
    ) -> Result<bool, StoreError> {
        let claim = [
            Arg::Text(client_id.as_str().to_owned()),
            Arg::Text(jti.to_owned()),
            Arg::Int(expires_at.unix_micros()),
            Arg::Int(now.unix_micros()),
        ];
        // One statement of its own (MySQL's delete-then-insert form gets its own
        // transaction): a DPoP proof claims a jti on every token request, so the claim must
        // not cost a multi-statement transaction.
        // On SQLite it joins the group commit: one commit for many requests' claims.
        let claimed = self.db.execute(&sql::CLAIM_JTI, &claim).await? > 0;
        let claims = self.jti_claims.fetch_add(1, Ordering::Relaxed);
        if claims.is_multiple_of(JTI_CLEANUP_EVERY) {
            let cleanup = [Arg::Int(now.unix_micros()), Arg::Int(JTI_CLEANUP_BATCH)];
            self.db.execute(&sql::DELETE_EXPIRED_JTIS, &cleanup).await?;
        }
        Ok(claimed)
    }
}
