//! Storage ports: one trait per aggregate, implemented once by `oxydra-store::SqlStore`.
//!
//! Every multi-row change is one method, implemented in one transaction, so no transaction handle
//! ever crosses this boundary. Methods return `impl Future + Send` (native async in traits), so
//! services stay generic over the store without boxing.

use std::future::Future;

use crate::client::Client;
use crate::flow::device::{DeviceDecision, DeviceGrant};
use crate::flow::login::SessionChange;
use crate::flow::logout::{EndedSession, LogoutRequest};
use crate::flow::{
    ConsentOutcome, ConsentRequest, FlowId, LoginOutcome, LoginRequest, LoginSession, VerifierUse,
};
use crate::jwk::StoredKey;
use crate::model::{ClientId, Now};
use crate::oauth2::jwt_bearer::TrustedIssuer;
use crate::oauth2::par::PushedRequest;
use crate::policy::Policy;
use crate::token::{
    FlushCriteria, GraceRule, RequestId, RotateOutcome, StoredToken, Successor, TokenKind,
    TokenSignature, UseOutcome,
};

/// Exact-match filters of the Hydra 2.x client list (`client_name`, `owner`); empty is any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientFilter {
    /// `client_name`.
    pub name: String,
    /// `owner`.
    pub owner: String,
}

/// Re-exported so the ports and their error are named from one place; it is defined in
/// [`crate::error`] because the error vocabulary sits below every aggregate.
pub use crate::error::StoreError;

/// How an update treats the stored client secret hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretChange {
    /// Keep whatever hash is stored.
    Keep,
    /// Replace it with this hash.
    Set(String),
    /// Remove it (the client became public).
    Clear,
    /// Keep the stored hash if there is one, otherwise store this one (a public client that
    /// became confidential without sending a secret gets a generated one).
    KeepOrSet(String),
}

/// Persistence of OAuth 2.0 clients.
pub trait ClientStore: Send + Sync {
    /// Inserts a new client; `StoreError::Conflict` if the id exists.
    fn create_client(&self, client: &Client)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Loads one client, `None` when absent.
    fn get_client(
        &self,
        id: &ClientId,
    ) -> impl Future<Output = Result<Option<Client>, StoreError>> + Send;

    /// Lists clients ordered by id.
    fn list_clients(
        &self,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<Vec<Client>, StoreError>> + Send;

    /// Hydra 2.x keyset paging: up to `limit` clients whose id sorts after `after` (`""`
    /// for the first page), ordered by id; `name` and `owner` filter exactly when not empty.
    fn list_clients_after(
        &self,
        after: &str,
        filter: &ClientFilter,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Client>, StoreError>> + Send;

    /// Replaces every field of an existing client except its creation time, applying `secret`
    /// to the stored hash, atomically. Returns the resulting secret hash (if any);
    /// `StoreError::NotFound` when the client does not exist.
    fn update_client(
        &self,
        client: &Client,
        secret: SecretChange,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Deletes a client; returns whether a row was deleted.
    fn delete_client(&self, id: &ClientId)
    -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Registration access tokens of dynamically registered clients (RFC 7592 §1), kept beside
/// the client's fields rather than among them: only a hash is stored, it is never part of a
/// [`Client`] (so never cached or listed), and admin-API clients have none.
pub trait RegistrationTokenStore: Send + Sync {
    /// The stored token hash of client `id`; `None` when the client does not exist or has
    /// no registration token.
    fn registration_token_hash(
        &self,
        id: &ClientId,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Stores `new` as client `id`'s token hash if its current one is `current` (`None`: it
    /// has none yet), atomically; returns whether it did. Of two concurrent rotations from one
    /// token, exactly one wins.
    fn replace_registration_token(
        &self,
        id: &ClientId,
        current: Option<&str>,
        new: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Persistence of issued tokens (access, refresh, authorization code) by signature, and of
/// client-assertion `jti`s. Each method that touches more than one row is one transaction.
pub trait TokenStore: Send + Sync {
    /// Stores newly issued tokens, all or none. `StoreError::NotFound` when a token names a
    /// client that no longer exists (deleted by another instance since it was looked up).
    fn insert_tokens(
        &self,
        tokens: &[StoredToken],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Loads a token of `kind` by signature, active or not; `None` when absent.
    fn get_token(
        &self,
        kind: TokenKind,
        signature: &TokenSignature,
    ) -> impl Future<Output = Result<Option<StoredToken>, StoreError>> + Send;

    /// Marks an active token of `kind` used and stores `issued`, in one transaction.
    ///
    /// - Authorization codes (RFC 6749 §4.1.2): the code becomes inactive.
    /// - Refresh tokens (RFC 9700 §4.14.2 rotation): the refresh token becomes inactive and
    ///   every access token of its request is deleted before `issued` is stored.
    ///
    /// If the token is already inactive (or another request wins the race), nothing is stored
    /// and every access and refresh token of its request is deleted, and that revocation is
    /// committed: [`UseOutcome::Replayed`].
    fn use_token(
        &self,
        kind: TokenKind,
        signature: &TokenSignature,
        issued: &[StoredToken],
    ) -> impl Future<Output = Result<UseOutcome, StoreError>> + Send;

    /// Deletes every access and refresh token of `client` and deactivates its codes, in one
    /// transaction; returns how many tokens were deleted.
    fn revoke_client_tokens(
        &self,
        client: &ClientId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Presents a refresh token under a rotation grace window, in one transaction.
    ///
    /// - With `successor`, if the token is active: it is rotated as by [`Self::use_token`],
    ///   and it keeps when it was rotated, the successor's signature and `successor.sealed`;
    ///   the sealed values kept for the grant's earlier rotations are erased.
    /// - Otherwise (a concurrent rotation won, or `successor` is `None`), the facts of the
    ///   rotated token are read with its successor locked, and if `rule` allows it the
    ///   answer is [`RotateOutcome::Graced`] with the sealed pair, nothing changed; if not,
    ///   the grant is revoked and that is committed: [`RotateOutcome::Replayed`].
    fn rotate_refresh(
        &self,
        signature: &TokenSignature,
        successor: Option<Successor<'_>>,
        rule: &GraceRule,
    ) -> impl Future<Output = Result<RotateOutcome, StoreError>> + Send;

    /// Deletes every access and refresh token of a grant and deactivates its codes (RFC 7009
    /// §2.1); returns how many tokens were deleted.
    fn revoke_request(
        &self,
        request_id: &RequestId,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Rows per flush statement that suit this backend: a batch is one short statement, and
    /// where every statement pays a durable commit (PostgreSQL) larger batches flush faster.
    fn flush_batch_size(&self) -> u32 {
        crate::token::FLUSH_BATCH_SIZE
    }

    /// Deletes at most `criteria.batch_size` expired rows of `kind`; returns how many. Callers
    /// loop until a batch comes back short.
    fn flush_tokens(
        &self,
        kind: TokenKind,
        criteria: FlushCriteria,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Deletes at most `criteria.batch_size` `jti` records (client assertions, request
    /// objects, JWT-bearer assertions) expired before `criteria.expired_before`; returns how
    /// many.
    fn flush_jtis(
        &self,
        criteria: FlushCriteria,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Records a client assertion's `jti` until `expires_at` (RFC 7523 §3 replay protection):
    /// `true` when it was new, `false` when the same client already used it and it has not yet
    /// expired at `now`. Expired records are replaced.
    fn claim_jti(
        &self,
        client_id: &ClientId,
        jti: &str,
        expires_at: Now,
        now: Now,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Persistence of the login/consent flow: login and consent requests, their single-use
/// verifiers, remembered login sessions, and the consent sessions they become
/// (`shared/spec/behaviour.md` §3). Each method touching more than one row is one transaction.
pub trait FlowStore: Send + Sync {
    /// Stores a new login request.
    fn create_login_request(
        &self,
        request: &LoginRequest,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Loads a login request by challenge (handled or not).
    fn get_login_request(
        &self,
        challenge: &FlowId,
    ) -> impl Future<Output = Result<Option<LoginRequest>, StoreError>> + Send;

    /// Records the login app's answer, once: `Conflict` when the request was answered already,
    /// `NotFound` when there is no such request. Returns the updated request.
    fn handle_login_request(
        &self,
        challenge: &FlowId,
        outcome: &LoginOutcome,
    ) -> impl Future<Output = Result<LoginRequest, StoreError>> + Send;

    /// Looks a login request up by its verifier without redeeming it, so the flow can check
    /// who presents the verifier before [`FlowStore::use_login_verifier`] burns it.
    fn get_login_request_by_verifier(
        &self,
        verifier: &FlowId,
    ) -> impl Future<Output = Result<Option<LoginRequest>, StoreError>> + Send;

    /// Redeems a login verifier: marks an answered, unused request used (atomically, so two
    /// concurrent redemptions give one `Fresh`).
    fn use_login_verifier(
        &self,
        verifier: &FlowId,
    ) -> impl Future<Output = Result<VerifierUse<LoginRequest>, StoreError>> + Send;

    /// Stores a new consent request.
    fn create_consent_request(
        &self,
        request: &ConsentRequest,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Loads a consent request by challenge (handled or not).
    fn get_consent_request(
        &self,
        challenge: &FlowId,
    ) -> impl Future<Output = Result<Option<ConsentRequest>, StoreError>> + Send;

    /// Records the consent app's answer at `now`, once (`Conflict` / `NotFound` as for login).
    fn handle_consent_request(
        &self,
        challenge: &FlowId,
        outcome: &ConsentOutcome,
        now: Now,
    ) -> impl Future<Output = Result<ConsentRequest, StoreError>> + Send;

    /// Looks a consent request up by its verifier, as
    /// [`FlowStore::get_login_request_by_verifier`].
    fn get_consent_request_by_verifier(
        &self,
        verifier: &FlowId,
    ) -> impl Future<Output = Result<Option<ConsentRequest>, StoreError>> + Send;

    /// Redeems a consent verifier, as [`FlowStore::use_login_verifier`].
    fn use_consent_verifier(
        &self,
        verifier: &FlowId,
    ) -> impl Future<Output = Result<VerifierUse<ConsentRequest>, StoreError>> + Send;

    /// §3.2 steps 5–6 as one transaction: redeems the login `verifier`, applies `session`
    /// (remember a new login session, forget the browser's, or keep), and stores `consent`
    /// when the flow goes on to the consent app (`None`: it ends here with an error). Only a
    /// [`VerifierUse::Fresh`] redemption writes; if any write fails, none is kept and the
    /// verifier stays unused. Of two concurrent calls for one verifier exactly one is fresh.
    fn login_to_consent(
        &self,
        verifier: &FlowId,
        session: &SessionChange,
        consent: Option<&ConsentRequest>,
    ) -> impl Future<Output = Result<VerifierUse<LoginRequest>, StoreError>> + Send;

    /// §3.2 steps 8–9 as one transaction: redeems the consent `verifier` and stores `tokens`
    /// (the authorization response's code and access token rows; empty when the flow ends
    /// with an error). All or nothing, and single-use, as [`FlowStore::login_to_consent`].
    fn consent_to_code(
        &self,
        verifier: &FlowId,
        tokens: &[StoredToken],
    ) -> impl Future<Output = Result<VerifierUse<ConsentRequest>, StoreError>> + Send;

    /// Accepted, remembered, not-skipped consents of `subject` (for `client` only when given),
    /// newest first, that are still valid at `now` ([`ConsentRequest::is_remembered_at`]).
    fn remembered_consents(
        &self,
        subject: &str,
        client: Option<&ClientId>,
        now: Now,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<Vec<ConsentRequest>, StoreError>> + Send;

    /// Revokes the consent sessions of `subject` (for one client when given): deletes every
    /// access and refresh token whose request id is one of their challenges, then the consent
    /// requests themselves, in one transaction. Returns how many consent requests were deleted.
    fn revoke_consent_sessions(
        &self,
        subject: &str,
        client: Option<&ClientId>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Stores a remembered login session.
    fn create_login_session(
        &self,
        session: &LoginSession,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Loads a login session by id.
    fn get_login_session(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<LoginSession>, StoreError>> + Send;

    /// Deletes one login session; returns whether it existed.
    fn delete_login_session(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Deletes every login session of `subject`; returns how many.
    fn delete_login_sessions_of(
        &self,
        subject: &str,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Deletes at most `batch_size` login sessions that expired before
    /// `criteria.expired_before` and were authenticated before `criteria.issued_before`.
    /// Returns how many.
    fn flush_login_sessions(
        &self,
        criteria: FlushCriteria,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Deletes at most `batch_size` finished flows: login requests and consent requests
    /// requested before `criteria.issued_before` that can no longer be used — their round trip
    /// expired before `criteria.expired_before` — except consents that are remembered
    /// sessions still valid at `criteria.expired_before`. Returns how many rows were deleted.
    fn flush_flows(
        &self,
        criteria: FlushCriteria,
        round_trip: std::time::Duration,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// Persistence of JSON Web Key sets. Key material arrives and leaves encrypted.
pub trait KeyStore: Send + Sync {
    /// Inserts keys (each names its set), all or none; `StoreError::Conflict` when a kid
    /// exists in its set already.
    fn create_keys(
        &self,
        keys: &[StoredKey],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Inserts `keys` (all of `set`) only when `set` holds no key yet, serialised against
    /// other instances doing the same; returns whether they were inserted. This is how a
    /// fleet starting at once creates a signing key set exactly once.
    fn create_set_if_empty(
        &self,
        set: &str,
        keys: &[StoredKey],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Adds keys to `set` under the same serialisation as [`Self::create_set_if_empty`]:
    /// `choose` sees every key the set holds at that moment and returns those to insert
    /// (all of `set`; none to insert nothing). This is how a fleet starting at once adds a
    /// signing key for each missing algorithm exactly once. Returns how many were inserted.
    fn extend_set<F, E>(
        &self,
        set: &str,
        choose: F,
    ) -> impl Future<Output = Result<usize, RewriteError<E>>> + Send
    where
        F: FnOnce(&[StoredKey]) -> Result<Vec<StoredKey>, E> + Send,
        E: Send;

    /// Every key of `set`, oldest first (then by kid); empty when the set does not exist.
    fn get_set(&self, set: &str)
    -> impl Future<Output = Result<Vec<StoredKey>, StoreError>> + Send;

    /// One key, `None` when absent.
    fn get_key(
        &self,
        set: &str,
        kid: &str,
    ) -> impl Future<Output = Result<Option<StoredKey>, StoreError>> + Send;

    /// Replaces the whole of `set` with `keys`, in one transaction (`keys` must belong to it).
    fn replace_set(
        &self,
        set: &str,
        keys: &[StoredKey],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Inserts or overwrites one key (identified by its set and kid).
    fn replace_key(&self, key: &StoredKey) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes a set; returns whether any key was deleted.
    fn delete_set(&self, set: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Deletes one key; returns whether it existed.
    fn delete_key(
        &self,
        set: &str,
        kid: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Replaces the ciphertext of every stored key, in one transaction that locks them all:
    /// `reseal` gets each key and returns its new `encrypted` value. The first error (the
    /// callback's or the database's) rolls everything back. Returns how many keys were rewritten.
    fn rewrite_all_keys<F, E>(
        &self,
        reseal: F,
    ) -> impl Future<Output = Result<u64, RewriteError<E>>> + Send
    where
        F: FnMut(&StoredKey) -> Result<String, E> + Send,
        E: Send;
}

/// Why [`KeyStore::rewrite_all_keys`] stopped; either way no key was changed.
#[derive(Debug)]
pub enum RewriteError<E> {
    /// The database failed.
    Store(StoreError),
    /// The callback refused a key.
    Rejected(E),
}

impl<E> From<StoreError> for RewriteError<E> {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// Persistence of access-control policies (1.0.0-alpha1 `/policies`). Every write also bumps a
/// revision number in the same transaction, so a policy cache anywhere in a fleet can tell
/// cheaply whether what it holds is still current.
pub trait PolicyStore: Send + Sync {
    /// Inserts a policy; `StoreError::Conflict` if the id exists.
    fn create_policy(&self, policy: &Policy)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Loads one policy, `None` when absent.
    fn get_policy(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<Policy>, StoreError>> + Send;

    /// Lists policies ordered by id.
    fn list_policies(
        &self,
        limit: u32,
        offset: u32,
    ) -> impl Future<Output = Result<Vec<Policy>, StoreError>> + Send;

    /// Replaces an existing policy; `StoreError::NotFound` when there is none with its id.
    fn update_policy(&self, policy: &Policy)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes a policy; returns whether it existed.
    fn delete_policy(&self, id: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The current policy revision: it changes with every successful write.
    fn policy_revision(&self) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Every policy, with a revision no newer than the rows read (read first, so a write that
    /// races the load only causes one more reload later, never a missed one).
    fn load_policies(&self) -> impl Future<Output = Result<(i64, Vec<Policy>), StoreError>> + Send;
}

/// Persistence of device authorizations (RFC 8628). Each method that touches more than one
/// row is one transaction.
pub trait DeviceStore: Send + Sync {
    /// Stores a new device grant; `StoreError::Conflict` when its user code hash (or device
    /// code) is taken, so the caller draws another code.
    fn create_device_grant(
        &self,
        grant: &DeviceGrant,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The grant of a device code's signature, whatever its state.
    fn get_device_grant(
        &self,
        signature: &TokenSignature,
    ) -> impl Future<Output = Result<Option<DeviceGrant>, StoreError>> + Send;

    /// The grant of a user code's lookup hash, whatever its state.
    fn get_device_grant_by_user_code(
        &self,
        user_code_hash: &str,
    ) -> impl Future<Output = Result<Option<DeviceGrant>, StoreError>> + Send;

    /// The grant of a verification-page challenge, whatever its state.
    fn get_device_grant_by_challenge(
        &self,
        challenge: &FlowId,
    ) -> impl Future<Output = Result<Option<DeviceGrant>, StoreError>> + Send;

    /// Records a poll of a pending grant at `polled_at`, with its new minimum interval.
    fn record_device_poll(
        &self,
        signature: &TokenSignature,
        polled_at: Now,
        interval_secs: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The consent step of the device flow as one transaction: redeems the consent `verifier`
    /// and records `decision` on the grant of `challenge`, which must still be pending and
    /// unexpired at `now`. [`VerifierUse::Fresh`]`(false)` when the grant was not: nothing is
    /// written and the verifier stays unused. Of two concurrent calls exactly one is fresh.
    fn consent_to_device(
        &self,
        verifier: &FlowId,
        challenge: &FlowId,
        decision: &DeviceDecision,
        now: Now,
    ) -> impl Future<Output = Result<VerifierUse<bool>, StoreError>> + Send;

    /// Marks the pending grant of `challenge` denied (the login app rejected the login);
    /// `false` when it was not pending.
    fn deny_device_grant(
        &self,
        challenge: &FlowId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Marks an authorized grant used and stores `issued`, in one transaction, if it has not
    /// expired at `now`. A grant that was used already (or that another poll redeemed first)
    /// gets every access and refresh token of its request deleted instead, and that revocation
    /// is committed: [`UseOutcome::Replayed`], as for a reused authorization code.
    fn redeem_device_grant(
        &self,
        signature: &TokenSignature,
        issued: &[StoredToken],
        now: Now,
    ) -> impl Future<Output = Result<UseOutcome, StoreError>> + Send;

    /// Deletes at most `criteria.batch_size` grants created before `criteria.issued_before`
    /// that expired before `criteria.expired_before`; returns how many.
    fn flush_device_grants(
        &self,
        criteria: FlushCriteria,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// Persistence of pushed authorization requests (RFC 9126): stored at the push, looked up
/// and used once by the authorization endpoint, flushed after expiry.
pub trait PushedRequestStore: Send + Sync {
    /// Stores a new pushed request; `StoreError::NotFound` when its client no longer exists.
    fn create_pushed_request(
        &self,
        request: &PushedRequest,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The pushed request stored under `key_hash`, used or not.
    fn get_pushed_request(
        &self,
        key_hash: &str,
    ) -> impl Future<Output = Result<Option<PushedRequest>, StoreError>> + Send;

    /// Marks the pushed request under `key_hash` used, if it was not and has not expired at
    /// `now`; `true` for the one call of any number of concurrent ones that did it.
    fn use_pushed_request(
        &self,
        key_hash: &str,
        now: Now,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Deletes at most `criteria.batch_size` pushed requests made before
    /// `criteria.issued_before` that expired before `criteria.expired_before`; returns how many.
    fn flush_pushed_requests(
        &self,
        criteria: FlushCriteria,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}

/// Persistence of the JWT-bearer grant's trust relationships (RFC 7523 §2.1; Hydra 2.x
/// `/admin/trust/grants/jwt-bearer/issuers`). Each is one row, so each method is one statement.
pub trait TrustStore: Send + Sync {
    /// Stores a new trust relationship; `StoreError::Conflict` when one with the same issuer,
    /// subject and key id exists.
    fn create_trust(
        &self,
        trust: &TrustedIssuer,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Loads a trust relationship by id; `None` when absent.
    fn get_trust(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<TrustedIssuer>, StoreError>> + Send;

    /// At most `limit` trust relationships with an id after `after` (`""`: from the start),
    /// ordered by id; only those of `issuer` unless it is empty.
    fn list_trusts(
        &self,
        issuer: &str,
        after: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<TrustedIssuer>, StoreError>> + Send;

    /// Deletes a trust relationship; returns whether a row was deleted.
    fn delete_trust(&self, id: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Every trust relationship of `issuer` that covers `subject` (its own, or any subject),
    /// expired or not: the keys an assertion of theirs may be verified with.
    fn trusts_for(
        &self,
        issuer: &str,
        subject: &str,
    ) -> impl Future<Output = Result<Vec<TrustedIssuer>, StoreError>> + Send;
}

/// Persistence of logout requests (OIDC RP-Initiated Logout 1.0 as Hydra runs it): created by
/// the logout endpoint, accepted or rejected by the logout app, redeemed once by the browser.
pub trait LogoutStore: Send + Sync {
    /// Stores a new logout request.
    fn create_logout_request(
        &self,
        request: &LogoutRequest,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Loads a logout request by challenge (accepted or redeemed ones too).
    fn get_logout_request(
        &self,
        challenge: &FlowId,
    ) -> impl Future<Output = Result<Option<LogoutRequest>, StoreError>> + Send;

    /// Loads a logout request by verifier without redeeming it.
    fn get_logout_request_by_verifier(
        &self,
        verifier: &FlowId,
    ) -> impl Future<Output = Result<Option<LogoutRequest>, StoreError>> + Send;

    /// Marks an unredeemed request accepted (again is harmless); `NotFound` when there is no
    /// such request or its verifier was redeemed already.
    fn accept_logout_request(
        &self,
        challenge: &FlowId,
    ) -> impl Future<Output = Result<LogoutRequest, StoreError>> + Send;

    /// Deletes an unredeemed request (the logout app rejected it); whether there was one.
    fn reject_logout_request(
        &self,
        challenge: &FlowId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Ends a login session as one transaction: redeems the `verifier` of an accepted request
    /// (exactly one of two concurrent calls is fresh), lists the clients with an accepted
    /// consent in the request's session, stops remembering those consents (their tokens stay,
    /// as in Hydra), and deletes the login session. Nothing is written unless fresh.
    fn complete_logout(
        &self,
        verifier: &FlowId,
    ) -> impl Future<Output = Result<VerifierUse<EndedSession>, StoreError>> + Send;
}

/// Everything the server needs from storage.
pub trait Store:
    ClientStore
    + TokenStore
    + FlowStore
    + KeyStore
    + PolicyStore
    + LegacyConsentStore
    + LogoutStore
    + DeviceStore
    + PushedRequestStore
{
    /// Checks the database answers (readiness probe).
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Writes of `oxydra import hydra`: each method stores rows of one kind in **one transaction**,
/// skipping every row whose key already exists, and tells per row whether it was written
/// (`true`) or already present (`false`), so a second import changes nothing. With `write`
/// false nothing is inserted: the answer tells what would be (a dry run). Every imported key
/// is remembered (at `now`) beyond its row's life, so a row revoked or deleted since is not
/// brought back.
pub trait ImportStore: Send + Sync {
    /// Clients by id (the client cache revision is bumped as for any client write).
    fn import_clients(
        &self,
        clients: &[Client],
        write: bool,
        now: Now,
    ) -> impl Future<Output = Result<Vec<bool>, StoreError>> + Send;

    /// Keys by `(set, kid)`.
    fn import_keys(
        &self,
        keys: &[StoredKey],
        write: bool,
        now: Now,
    ) -> impl Future<Output = Result<Vec<bool>, StoreError>> + Send;

    /// Remembered login sessions by id.
    fn import_login_sessions(
        &self,
        sessions: &[LoginSession],
        write: bool,
        now: Now,
    ) -> impl Future<Output = Result<Vec<bool>, StoreError>> + Send;

    /// Answered consent requests by challenge.
    fn import_consents(
        &self,
        consents: &[ConsentRequest],
        write: bool,
        now: Now,
    ) -> impl Future<Output = Result<Vec<bool>, StoreError>> + Send;

    /// Access-control policies by id (the policy revision is bumped as for any policy write).
    fn import_policies(
        &self,
        policies: &[Policy],
        write: bool,
        now: Now,
    ) -> impl Future<Output = Result<Vec<bool>, StoreError>> + Send;

    /// Tokens by signature.
    fn import_tokens(
        &self,
        tokens: &[StoredToken],
        write: bool,
        now: Now,
    ) -> impl Future<Output = Result<Vec<bool>, StoreError>> + Send;
}

/// Persistence of the 0.10 consent requests (`shared/spec/behaviour.md` §15). Answering and
/// redeeming are each one conditional statement, so a replay race has exactly one winner and
/// expiry is decided by the database at the same instant.
pub trait LegacyConsentStore: Send + Sync {
    /// Stores a new legacy consent request.
    fn create_legacy_consent(
        &self,
        request: &crate::flow::legacy::LegacyConsentRequest,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Loads a legacy consent request by id (answered, used or expired ones too).
    fn get_legacy_consent(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<crate::flow::legacy::LegacyConsentRequest>, StoreError>> + Send;

    /// Records (or replaces) the consent app's answer at `now`, while the request is unused and
    /// unexpired at `now`: `NotFound` when there is no such request, `Conflict` when it can no
    /// longer be answered. Returns the updated request.
    fn answer_legacy_consent(
        &self,
        id: &str,
        outcome: &crate::flow::legacy::LegacyOutcome,
        now: Now,
    ) -> impl Future<Output = Result<crate::flow::legacy::LegacyConsentRequest, StoreError>> + Send;

    /// Redeems a request when the browser returns: marks an answered, unused request that has
    /// not expired at `now` used, atomically (two concurrent redemptions give one `Fresh`).
    fn use_legacy_consent(
        &self,
        id: &str,
        now: Now,
    ) -> impl Future<Output = Result<crate::flow::legacy::LegacyConsentUse, StoreError>> + Send;

    /// Deletes at most `criteria.batch_size` requests created before `criteria.issued_before`
    /// that expired before `criteria.expired_before` (tokens keep their own copy of the grant).
    /// Returns how many.
    fn flush_legacy_consents(
        &self,
        criteria: FlushCriteria,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
}
