//! Statements on `oxydra_policy` and its one-row `oxydra_policy_revision`. Lists are JSON text,
//! conditions a JSON object.

use crate::db::Stmt;

/// The column list, in the order of [`crate::rows::PolicyRow`].
macro_rules! policy_columns {
    () => {
        "id, description, effect, subjects, resources, actions, conditions"
    };
}

/// `$1..$7` the columns in [`policy_columns`] order.
pub(crate) static INSERT: Stmt = Stmt::new(
    "policies.insert",
    concat!(
        "INSERT INTO oxydra_policy (",
        policy_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ),
);

/// `$1` id.
pub(crate) static GET: Stmt = Stmt::new(
    "policies.get",
    concat!(
        "SELECT ",
        policy_columns!(),
        " FROM oxydra_policy WHERE id = $1"
    ),
);

/// `$1` limit, `$2` offset; ordered by id (byte order on both backends).
pub(crate) static LIST: Stmt = Stmt::new(
    "policies.list",
    concat!(
        "SELECT ",
        policy_columns!(),
        " FROM oxydra_policy ORDER BY id LIMIT $1 OFFSET $2"
    ),
);

/// Every policy, for the in-memory cache.
pub(crate) static ALL: Stmt = Stmt::new(
    "policies.all",
    concat!(
        "SELECT ",
        policy_columns!(),
        " FROM oxydra_policy ORDER BY id"
    ),
);

/// `$1` id, `$2..$7` the other columns.
pub(crate) static UPDATE: Stmt = Stmt::new(
    "policies.update",
    "UPDATE oxydra_policy SET description = $2, effect = $3, subjects = $4, resources = $5, \
     actions = $6, conditions = $7 WHERE id = $1",
);

/// `$1` id.
pub(crate) static DELETE: Stmt =
    Stmt::new("policies.delete", "DELETE FROM oxydra_policy WHERE id = $1");

/// The current revision.
pub(crate) static REVISION: Stmt = Stmt::new(
    "policies.revision",
    "SELECT revision FROM oxydra_policy_revision WHERE id = 1",
);

/// Moves the revision on; run in the transaction of every write.
pub(crate) static BUMP_REVISION: Stmt = Stmt::new(
    "policies.bump_revision",
    "UPDATE oxydra_policy_revision SET revision = revision + 1 WHERE id = 1",
);
