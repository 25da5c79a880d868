//! Statements on `oxydra_import_ledger`: what `oxydra import` brought over, by kind and source
//! key, so a second run skips it even after the row itself was deleted.

use crate::db::Stmt;

/// `$1` kind, `$2` source key.
pub(crate) static LEDGER_GET: Stmt = Stmt::new(
    "import.ledger_get",
    "SELECT kind FROM oxydra_import_ledger WHERE kind = $1 AND source_key = $2",
);

/// `$1` kind, `$2` source key, `$3` imported at.
pub(crate) static LEDGER_INSERT: Stmt = Stmt::new(
    "import.ledger_insert",
    "INSERT INTO oxydra_import_ledger (kind, source_key, imported_at) VALUES ($1, $2, $3)",
);
