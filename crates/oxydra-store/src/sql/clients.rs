//! Statements on `oxydra_client`.
//!
//! Lists (`redirect_uris`, `grant_types`, `response_types`, `contacts`, `request_uris`) and
//! `jwks` are JSON text; enums are their wire strings; times are BIGINT Unix microseconds.

use crate::db::Stmt;
use crate::mysql::MySqlForm;

/// The column list, in the order of [`crate::rows::ClientRow`].
macro_rules! client_columns {
    () => {
        "id, name, secret_hash, redirect_uris, grant_types, response_types, scope, owner, \
         policy_uri, tos_uri, client_uri, logo_uri, contacts, subject_type, \
         sector_identifier_uri, jwks_uri, jwks, token_endpoint_auth_method, request_uris, \
         request_object_signing_alg, userinfo_signed_response_alg, created_at, updated_at, \
         id_token_signed_response_alg, skip_consent, skip_logout_consent, metadata, \
         access_token_strategy, token_lifespans, post_logout_redirect_uris, \
         frontchannel_logout_uri, frontchannel_logout_session_required, backchannel_logout_uri, \
         backchannel_logout_session_required, require_pushed_authorization_requests, audience, \
         dpop_bound_access_tokens"
    };
}

/// `$1` id, `$2` secret_hash, `$3` created_at, `$4..$37` the fields of
/// [`crate::impls::clients::field_args`].
pub(crate) static INSERT: Stmt = Stmt::new(
    "clients.insert",
    "INSERT INTO oxydra_client (id, secret_hash, created_at, name, redirect_uris, grant_types, \
     response_types, scope, owner, policy_uri, tos_uri, client_uri, logo_uri, contacts, \
     subject_type, sector_identifier_uri, jwks_uri, jwks, token_endpoint_auth_method, \
     request_uris, request_object_signing_alg, userinfo_signed_response_alg, updated_at, \
     id_token_signed_response_alg, skip_consent, skip_logout_consent, metadata, \
     access_token_strategy, token_lifespans, post_logout_redirect_uris, frontchannel_logout_uri, \
     frontchannel_logout_session_required, backchannel_logout_uri, \
     backchannel_logout_session_required, require_pushed_authorization_requests, audience, \
     dpop_bound_access_tokens) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
     $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, \
     $37)",
);

/// `$1` id.
pub(crate) static GET: Stmt = Stmt::new(
    "clients.get",
    concat!(
        "SELECT ",
        client_columns!(),
        " FROM oxydra_client WHERE id = $1"
    ),
);

/// `$1` limit, `$2` offset; ordered by id (byte order on both backends: the PostgreSQL column
/// uses `COLLATE "C"`, SQLite's default is binary).
pub(crate) static LIST: Stmt = Stmt::new(
    "clients.list",
    concat!(
        "SELECT ",
        client_columns!(),
        " FROM oxydra_client ORDER BY id LIMIT $1 OFFSET $2"
    ),
);

/// Hydra 2.x keyset paging: `$1` the last id of the previous page (`''` for the first page),
/// `$2` exact `client_name` (`''`: any), `$3` exact `owner` (`''`: any), `$4` limit; by id.
pub(crate) static LIST_AFTER: Stmt = Stmt::new(
    "clients.list_after",
    concat!(
        "SELECT ",
        client_columns!(),
        " FROM oxydra_client WHERE id > $1 AND ($2 = '' OR name = $2) \
         AND ($3 = '' OR owner = $3) ORDER BY id LIMIT $4"
    ),
);

/// One atomic statement, no read-modify-write: `$1` id, `$2` the secret mode (`keep`, `set`,
/// `clear`, `keep_or_set`), `$3` the new hash (for `set` / `keep_or_set`), `$4..$37` the fields.
/// `created_at` is never written. Returns the resulting hash; no row means no such client
/// (MariaDB: read back in the update's transaction, see `MySqlForm::UpdateThenSelect`).
pub(crate) static UPDATE: Stmt = Stmt::new(
    "clients.update",
    "UPDATE oxydra_client SET \
     secret_hash = CASE $2 \
       WHEN 'keep' THEN secret_hash \
       WHEN 'set' THEN $3 \
       WHEN 'clear' THEN NULL \
       ELSE COALESCE(secret_hash, $3) END, \
     name = $4, redirect_uris = $5, grant_types = $6, response_types = $7, scope = $8, \
     owner = $9, policy_uri = $10, tos_uri = $11, client_uri = $12, logo_uri = $13, \
     contacts = $14, subject_type = $15, sector_identifier_uri = $16, jwks_uri = $17, \
     jwks = $18, token_endpoint_auth_method = $19, request_uris = $20, \
     request_object_signing_alg = $21, userinfo_signed_response_alg = $22, updated_at = $23, \
     id_token_signed_response_alg = $24, skip_consent = $25, skip_logout_consent = $26, \
     metadata = $27, access_token_strategy = $28, token_lifespans = $29, \
     post_logout_redirect_uris = $30, frontchannel_logout_uri = $31, \
     frontchannel_logout_session_required = $32, backchannel_logout_uri = $33, \
     backchannel_logout_session_required = $34, require_pushed_authorization_requests = $35, \
     audience = $36, dpop_bound_access_tokens = $37 \
     WHERE id = $1 RETURNING secret_hash",
)
.mysql_form(MySqlForm::UpdateThenSelect {
    select: "SELECT secret_hash FROM oxydra_client WHERE id = $1",
});

/// `$1` id.
pub(crate) static DELETE: Stmt =
    Stmt::new("clients.delete", "DELETE FROM oxydra_client WHERE id = $1");

/// The current client revision (see migration 0009).
pub(crate) static REVISION: Stmt = Stmt::new(
    "clients.revision",
    "SELECT revision FROM oxydra_client_revision WHERE id = 1",
);

/// Moves the revision on; run in the transaction of every client write.
pub(crate) static BUMP_REVISION: Stmt = Stmt::new(
    "clients.bump_revision",
    "UPDATE oxydra_client_revision SET revision = revision + 1 WHERE id = 1",
);
