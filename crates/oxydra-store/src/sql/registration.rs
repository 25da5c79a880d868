//! Statements on `oxydra_client.registration_token_hash` (migration 0021): the hashed
//! registration access tokens of dynamically registered clients (RFC 7592), read and
//! replaced apart from the client's other fields.

use crate::db::Stmt;

/// `$1` id: the token hash, read as `secret_hash` (the one nullable-hash row type).
pub(crate) static GET: Stmt = Stmt::new(
    "registration.get",
    "SELECT registration_token_hash AS secret_hash FROM oxydra_client WHERE id = $1",
);

/// `$1` id, `$2` new hash: the first token of a client that has none.
pub(crate) static SET_FIRST: Stmt = Stmt::new(
    "registration.set_first",
    "UPDATE oxydra_client SET registration_token_hash = $2 \
     WHERE id = $1 AND registration_token_hash IS NULL",
);

/// `$1` id, `$2` new hash, `$3` current hash: a rotation, which only one of two concurrent
/// rotations from the same token wins.
pub(crate) static ROTATE: Stmt = Stmt::new(
    "registration.rotate",
    "UPDATE oxydra_client SET registration_token_hash = $2 \
     WHERE id = $1 AND registration_token_hash = $3",
);
