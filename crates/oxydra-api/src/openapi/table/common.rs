//! Answers many routes share, written once so the same status means the same thing everywhere.

use crate::openapi::route::{
    Body, Generation, Kind, Method, Ports, Query, Reply, Route, error, optional,
};

/// 400: the request is malformed.
pub(super) const BAD_REQUEST: Reply = error(
    400,
    "The request is malformed or fails validation (`invalid_request` and the other 400 codes \
     of RFC 6749 §5.2).",
);
/// 401 at the token and revocation endpoints: the client did not authenticate.
pub(super) const CLIENT_UNAUTHORIZED: Reply =
    error(401, "The client did not authenticate (`invalid_client`).");
/// 429: too many failed client authentications from this address.
pub(super) const TOO_MANY_FAILURES: Reply = error(
    429,
    "Too many failed client authentications from this address; see `Retry-After`.",
);
/// 404: the resource does not exist.
pub(super) const NOT_FOUND: Reply = error(404, "No such resource.");
/// 409: the resource exists already, or the request was handled already.
pub(super) const CONFLICT: Reply = error(
    409,
    "A resource with that identifier exists already, or the request was handled already.",
);
/// 401 on the admin API, only with `ADMIN_ACCESS_CONTROL=policies`.
pub(super) const GUARD_UNAUTHORIZED: Reply = error(
    401,
    "Only with `ADMIN_ACCESS_CONTROL=policies`: no valid bearer token.",
);
/// 403 on the admin API, only with `ADMIN_ACCESS_CONTROL=policies`.
pub(super) const GUARD_FORBIDDEN: Reply = error(
    403,
    "Only with `ADMIN_ACCESS_CONTROL=policies`: the token lacks the scope, or no policy allows \
     the request.",
);
/// 500: an internal failure (the cause is logged, never sent).
pub(super) const FAILED: Reply = error(500, "An internal failure (`server_error`).");
/// 503: the database did not answer.
pub(super) const UNAVAILABLE: Reply = error(
    503,
    "The database did not answer (`temporarily_unavailable`).",
);

/// `limit` and `offset` of the paged admin lists.
pub(super) const PAGING: &[Query] = &[
    optional(
        "limit",
        Kind::Count,
        "Page size (default 100, at most 500; larger values are capped).",
    ),
    optional("offset", Kind::Count, "Rows to skip (default 0)."),
];

/// The failures every admin route shares: a malformed request, the guard's refusals (only
/// with `ADMIN_ACCESS_CONTROL=policies`), an internal failure, the database not answering.
pub(super) const ADMIN_ERRORS: &[Reply] = &[
    BAD_REQUEST,
    GUARD_UNAUTHORIZED,
    GUARD_FORBIDDEN,
    FAILED,
    UNAVAILABLE,
];

/// An admin-port route of `generation`, with the shared [`ADMIN_ERRORS`].
pub(super) const fn admin(
    generation: Generation,
    method: Method,
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
) -> Route {
    Route {
        errors: ADMIN_ERRORS,
        ..route(
            Ports::Admin,
            generation,
            method,
            path,
            operation_id,
            summary,
        )
    }
}

/// A 1.0.0-beta admin-port route, with the shared [`ADMIN_ERRORS`].
pub(super) const fn beta_admin(
    method: Method,
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
) -> Route {
    admin(Generation::V1Beta, method, path, operation_id, summary)
}

/// A route served on `ports`, of `generation`, with no query, no body and no answers yet.
pub(super) const fn route(
    ports: Ports,
    generation: Generation,
    method: Method,
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
) -> Route {
    Route {
        method,
        path,
        operation_id,
        summary,
        ports,
        generation,
        query: &[],
        body: Body::None,
        replies: &[],
        errors: &[],
    }
}
