//! Statements on `oxydra_jwk`. `encrypted` is opaque ciphertext; times are BIGINT Unix
//! microseconds.

use crate::db::Stmt;

/// `$1` set, `$2` kid, `$3` alg, `$4` use, `$5` created_at, `$6` encrypted.
pub(crate) static INSERT: Stmt = Stmt::new(
    "keys.insert",
    "INSERT INTO oxydra_jwk (set_id, kid, alg, key_use, created_at, encrypted) \
     VALUES ($1, $2, $3, $4, $5, $6)",
);

/// As [`INSERT`], overwriting an existing (set, kid).
pub(crate) static UPSERT: Stmt = Stmt::new(
    "keys.upsert",
    "INSERT INTO oxydra_jwk (set_id, kid, alg, key_use, created_at, encrypted) \
     VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (set_id, kid) DO UPDATE SET alg = excluded.alg, key_use = excluded.key_use, \
     created_at = excluded.created_at, encrypted = excluded.encrypted",
)
.mysql(
    "INSERT INTO oxydra_jwk (set_id, kid, alg, key_use, created_at, encrypted) \
     VALUES ($1, $2, $3, $4, $5, $6) \
     ON DUPLICATE KEY UPDATE alg = VALUES(alg), key_use = VALUES(key_use), \
     created_at = VALUES(created_at), encrypted = VALUES(encrypted)",
);

/// `$1` set.
pub(crate) static GET_SET: Stmt = Stmt::new(
    "keys.get_set",
    "SELECT set_id, kid, alg, key_use, created_at, encrypted FROM oxydra_jwk \
     WHERE set_id = $1 ORDER BY created_at, kid",
);

/// `$1` set, `$2` kid.
pub(crate) static GET: Stmt = Stmt::new(
    "keys.get",
    "SELECT set_id, kid, alg, key_use, created_at, encrypted FROM oxydra_jwk \
     WHERE set_id = $1 AND kid = $2",
);

/// `$1` set.
pub(crate) static DELETE_SET: Stmt = Stmt::new(
    "keys.delete_set",
    "DELETE FROM oxydra_jwk WHERE set_id = $1",
);

/// `$1` set, `$2` kid.
pub(crate) static DELETE: Stmt = Stmt::new(
    "keys.delete",
    "DELETE FROM oxydra_jwk WHERE set_id = $1 AND kid = $2",
);

/// `$1` set: takes the set's creation lock (a row lock held until commit).
pub(crate) static LOCK_SET: Stmt = Stmt::new(
    "keys.lock_set",
    "INSERT INTO oxydra_jwk_set_lock (set_id) VALUES ($1) \
     ON CONFLICT (set_id) DO UPDATE SET set_id = excluded.set_id",
)
.mysql(
    "INSERT INTO oxydra_jwk_set_lock (set_id) VALUES ($1) \
     ON DUPLICATE KEY UPDATE set_id = VALUES(set_id)",
);

/// `$1` set: whether it holds any key.
pub(crate) static SET_EXISTS: Stmt = Stmt::new(
    "keys.set_exists",
    "SELECT kid FROM oxydra_jwk WHERE set_id = $1 LIMIT 1",
);

/// Every key with a row lock, on the servers.
macro_rules! all_for_update {
    () => {
        "SELECT set_id, kid, alg, key_use, created_at, encrypted FROM oxydra_jwk \
         ORDER BY set_id, kid FOR UPDATE"
    };
}

/// Every key, locked for the rest of the transaction (SQLite: `BEGIN IMMEDIATE` already holds
/// the write lock, and it has no `FOR UPDATE`).
pub(crate) static ALL_FOR_UPDATE: Stmt = Stmt::new(
    "keys.all_for_update",
    "SELECT set_id, kid, alg, key_use, created_at, encrypted FROM oxydra_jwk \
     ORDER BY set_id, kid",
)
.postgres(all_for_update!())
.mysql(all_for_update!());

/// `$1` set, `$2` kid, `$3` new ciphertext.
pub(crate) static SET_ENCRYPTED: Stmt = Stmt::new(
    "keys.set_encrypted",
    "UPDATE oxydra_jwk SET encrypted = $3 WHERE set_id = $1 AND kid = $2",
);
