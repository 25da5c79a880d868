//! Statements on `oxydra_jwt_bearer_trust` (the JWT-bearer grant's trust relationships).

use crate::db::Stmt;

/// The columns of [`crate::rows::TrustRow`], in the order of [`INSERT`]'s parameters.
macro_rules! columns {
    () => {
        "id, issuer, subject, allow_any_subject, scope, key_id, public_key, created_at, \
         expires_at"
    };
}

/// `$1..$9` the columns, in [`columns`] order.
pub(crate) static INSERT: Stmt = Stmt::new(
    "trust.insert",
    concat!(
        "INSERT INTO oxydra_jwt_bearer_trust (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ),
);

/// `$1` id.
pub(crate) static GET: Stmt = Stmt::new(
    "trust.get",
    concat!(
        "SELECT ",
        columns!(),
        " FROM oxydra_jwt_bearer_trust WHERE id = $1"
    ),
);

/// `$1` after this id, `$2` issuer (`''`: any), `$3` limit.
pub(crate) static LIST_AFTER: Stmt = Stmt::new(
    "trust.list_after",
    concat!(
        "SELECT ",
        columns!(),
        " FROM oxydra_jwt_bearer_trust WHERE id > $1 AND ($2 = '' OR issuer = $2) \
         ORDER BY id LIMIT $3"
    ),
);

/// `$1` id.
pub(crate) static DELETE: Stmt = Stmt::new(
    "trust.delete",
    "DELETE FROM oxydra_jwt_bearer_trust WHERE id = $1",
);

/// `$1` issuer, `$2` subject: the trusts covering that subject, in a stable order.
pub(crate) static FOR_SUBJECT: Stmt = Stmt::new(
    "trust.for_subject",
    concat!(
        "SELECT ",
        columns!(),
        " FROM oxydra_jwt_bearer_trust WHERE issuer = $1 \
         AND (subject = $2 OR allow_any_subject = TRUE) ORDER BY id"
    ),
);
