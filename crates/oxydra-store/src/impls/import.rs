//! [`ImportStore`] for `oxydra import hydra`: one transaction per kind, each row inserted only
//! when its key is not taken and it was never imported before (the `oxydra_import_ledger`
//! remembers imported keys after the rows are gone, so a revoked token is not brought back);
//! a dry run only looks rows up. Reuses each aggregate's own `INSERT` and lookup statements.

use oxydra_core::client::Client;
use oxydra_core::flow::{ConsentRequest, LoginSession};
use oxydra_core::jwk::StoredKey;
use oxydra_core::model::Now;
use oxydra_core::policy::Policy;
use oxydra_core::store::{ImportStore, StoreError};
use oxydra_core::token::StoredToken;

use crate::SqlStore;
use crate::args::insert_args;
use crate::db::{AnyRow, Arg, Stmt, Tx};
use crate::rows::{
    ClientRow, ConsentRequestRow, KeyRow, LoginSessionRow, PolicyRow, TokenRow, kind_name,
};
use crate::sql;

/// How rows of one kind are found by key and inserted.
struct Kind<T> {
    /// The kind's name in the ledger.
    name: &'static str,
    /// Looks the row up by its key (`key`'s arguments).
    exists: &'static Stmt,
    key: fn(&T) -> Vec<Arg>,
    /// Inserts it (`values`' arguments).
    insert: &'static Stmt,
    values: fn(&T) -> Result<Vec<Arg>, StoreError>,
    /// Bumped when rows were written, for kinds whose readers cache (clients, policies).
    revision: Option<&'static Stmt>,
}

/// Inserts (when `write`) each item whose key is free; `true` per such item, `false` per
/// present one.
async fn insert_absent<R: AnyRow, T>(
    tx: &mut Tx<'_>,
    kind: &Kind<T>,
    items: &[T],
    write: bool,
    now: Now,
) -> Result<Vec<bool>, StoreError> {
    let mut absent = Vec::with_capacity(items.len());
    for item in items {
        let key = (kind.key)(item);
        let ledger = [Arg::Text(kind.name.to_owned()), Arg::Text(ledger_key(&key))];
        let seen: Option<(String,)> = tx.fetch_optional(&sql::import::LEDGER_GET, &ledger).await?;
        let found = match seen {
            Some(_) => true,
            None => tx.fetch_optional::<R>(kind.exists, &key).await?.is_some(),
        };
        if !found && write {
            tx.execute(kind.insert, &(kind.values)(item)?).await?;
            let [k, source] = ledger;
            tx.execute(
                &sql::import::LEDGER_INSERT,
                &[k, source, Arg::Int(now.unix_micros())],
            )
            .await?;
        }
        absent.push(!found);
    }
    Ok(absent)
}

/// The ledger's key of a row: its key arguments' text joined by a separator none contains.
fn ledger_key(key: &[Arg]) -> String {
    key.iter()
        .map(|a| match a {
            Arg::Text(t) => t.as_str(),
            _ => "",
        })
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// Commits what was written; a dry run's transaction only read, and is dropped (rolled back).
async fn finish(tx: Tx<'_>, write: bool) -> Result<(), StoreError> {
    if write { tx.commit().await } else { Ok(()) }
}

fn client_values(c: &Client) -> Result<Vec<Arg>, StoreError> {
    let mut args = vec![
        Arg::Text(c.id.as_str().to_owned()),
        Arg::OptText(c.secret_hash.clone()),
        Arg::Int(c.created_at.unix_micros()),
    ];
    args.extend(super::clients::field_args(c)?);
    Ok(args)
}

static CLIENTS: Kind<Client> = Kind {
    name: "client",
    exists: &sql::clients::GET,
    key: |c| vec![Arg::Text(c.id.as_str().to_owned())],
    insert: &sql::clients::INSERT,
    values: client_values,
    revision: Some(&sql::clients::BUMP_REVISION),
};

static KEYS: Kind<StoredKey> = Kind {
    name: "key",
    exists: &sql::keys::GET,
    key: |k| vec![Arg::Text(k.set.clone()), Arg::Text(k.kid.clone())],
    insert: &sql::keys::INSERT,
    values: |k| Ok(super::keys::args(k).to_vec()),
    revision: None,
};

static LOGIN_SESSIONS: Kind<LoginSession> = Kind {
    name: "login_session",
    exists: &sql::flows::GET_LOGIN_SESSION,
    key: |s| vec![Arg::Text(s.id.clone())],
    insert: &sql::flows::INSERT_LOGIN_SESSION,
    values: |s| Ok(super::flows::session_args(s).to_vec()),
    revision: None,
};

static CONSENTS: Kind<ConsentRequest> = Kind {
    name: "consent",
    exists: &sql::flows::GET_CONSENT,
    key: |c| vec![super::flows::id_arg(&c.challenge)],
    insert: &sql::flows::INSERT_CONSENT,
    values: super::flows::consent_args,
    revision: None,
};

static POLICIES: Kind<Policy> = Kind {
    name: "policy",
    exists: &sql::policies::GET,
    key: |p| vec![Arg::Text(p.id.clone())],
    insert: &sql::policies::INSERT,
    values: super::policies::args,
    revision: Some(&sql::policies::BUMP_REVISION),
};

static TOKENS: Kind<StoredToken> = Kind {
    name: "token",
    exists: &sql::tokens::GET,
    key: |t| {
        vec![
            Arg::Text(t.signature.as_str().to_owned()),
            Arg::Text(kind_name(t.kind).to_owned()),
        ]
    },
    insert: &sql::tokens::INSERT,
    values: insert_args,
    revision: None,
};

impl ImportStore for SqlStore {
    #[tracing::instrument(name = "store.import_clients", level = "debug", skip_all)]
    async fn import_clients(
        &self,
        clients: &[Client],
        write: bool,
        now: Now,
    ) -> Result<Vec<bool>, StoreError> {
        let result = self
            .import_kind::<ClientRow, _>(&CLIENTS, clients, write, now)
            .await;
        self.client_cache.invalidate();
        result
    }

    #[tracing::instrument(name = "store.import_keys", level = "debug", skip_all)]
    async fn import_keys(
        &self,
        keys: &[StoredKey],
        write: bool,
        now: Now,
    ) -> Result<Vec<bool>, StoreError> {
        self.import_kind::<KeyRow, _>(&KEYS, keys, write, now).await
    }

    #[tracing::instrument(name = "store.import_login_sessions", level = "debug", skip_all)]
    async fn import_login_sessions(
        &self,
        sessions: &[LoginSession],
        write: bool,
        now: Now,
    ) -> Result<Vec<bool>, StoreError> {
        self.import_kind::<LoginSessionRow, _>(&LOGIN_SESSIONS, sessions, write, now)
            .await
    }

    #[tracing::instrument(name = "store.import_consents", level = "debug", skip_all)]
    async fn import_consents(
        &self,
        consents: &[ConsentRequest],
        write: bool,
        now: Now,
    ) -> Result<Vec<bool>, StoreError> {
        self.import_kind::<ConsentRequestRow, _>(&CONSENTS, consents, write, now)
            .await
    }

    #[tracing::instrument(name = "store.import_policies", level = "debug", skip_all)]
    async fn import_policies(
        &self,
        policies: &[Policy],
        write: bool,
        now: Now,
    ) -> Result<Vec<bool>, StoreError> {
        self.import_kind::<PolicyRow, _>(&POLICIES, policies, write, now)
            .await
    }

    #[tracing::instrument(name = "store.import_tokens", level = "debug", skip_all)]
    async fn import_tokens(
        &self,
        tokens: &[StoredToken],
        write: bool,
        now: Now,
    ) -> Result<Vec<bool>, StoreError> {
        self.import_kind::<TokenRow, _>(&TOKENS, tokens, write, now)
            .await
    }
}

impl SqlStore {
    /// One kind's import in its own transaction, with its revision bump when it has one.
    async fn import_kind<R: AnyRow, T>(
        &self,
        kind: &Kind<T>,
        items: &[T],
        write: bool,
        now: Now,
    ) -> Result<Vec<bool>, StoreError> {
        let mut tx = self.db.begin().await?;
        let written = insert_absent::<R, _>(&mut tx, kind, items, write, now).await?;
        if let Some(revision) = kind.revision.filter(|_| write && written.contains(&true)) {
            tx.execute(revision, &[]).await?;
        }
        finish(tx, write).await.map(|()| written)
    }
}
