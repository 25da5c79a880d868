//! Every admin route → what guarding it means: the scope the token needs, the resource name
//! (after `RESOURCE_NAME_PREFIX`), the action, and what goes into the request context.
//!
//! Hydra 0.x (v0.10/v0.11 handlers) is followed where it had the route: clients, keys,
//! policies, legacy consent requests, introspection, flush and `/health/stats`. Where Hydra
//! 0.x had no such route (the 1.0.0-beta login/consent requests and sessions) the names follow
//! the same pattern. A route missing from this table is refused (fail closed).

use oxydra_api::paths::{
    ADMIN_CLIENT, ADMIN_CLIENT_LIFESPANS, ADMIN_CLIENTS, ADMIN_CONSENT_REQUEST,
    ADMIN_CONSENT_REQUEST_ACCEPT, ADMIN_CONSENT_REQUEST_REJECT, ADMIN_CONSENT_SESSIONS,
    ADMIN_INTROSPECT, ADMIN_KEY, ADMIN_KEY_SET, ADMIN_LOGIN_REQUEST, ADMIN_LOGIN_REQUEST_ACCEPT,
    ADMIN_LOGIN_REQUEST_REJECT, ADMIN_LOGIN_SESSIONS, ADMIN_LOGOUT_REQUEST,
    ADMIN_LOGOUT_REQUEST_ACCEPT, ADMIN_LOGOUT_REQUEST_REJECT, ADMIN_TOKENS,
    ADMIN_TRUSTED_JWT_ISSUER, ADMIN_TRUSTED_JWT_ISSUERS, CLIENT, CLIENTS, CONSENT_REQUEST,
    CONSENT_REQUEST_ACCEPT, CONSENT_REQUEST_ACCEPT_BY_QUERY, CONSENT_REQUEST_BY_QUERY,
    CONSENT_REQUEST_REJECT, CONSENT_REQUEST_REJECT_BY_QUERY, CONSENT_SESSIONS,
    CONSENT_SESSIONS_BY_QUERY, CONSENT_SESSIONS_OF_CLIENT, HEALTH_ALIVE, HEALTH_READY,
    HEALTH_STATUS, KEY, KEY_SET, LOGIN_REQUEST, LOGIN_REQUEST_ACCEPT,
    LOGIN_REQUEST_ACCEPT_BY_QUERY, LOGIN_REQUEST_BY_QUERY, LOGIN_REQUEST_REJECT,
    LOGIN_REQUEST_REJECT_BY_QUERY, LOGIN_SESSIONS, LOGIN_SESSIONS_BY_QUERY, LOGOUT_REQUEST,
    LOGOUT_REQUEST_ACCEPT, LOGOUT_REQUEST_REJECT, OAUTH2_FLUSH, OAUTH2_INTROSPECT, OAUTH2_TOKENS,
    POLICIES, POLICY, VERSION,
};
use oxydra_api::scopes;
use oxydra_core::service::warden::Context;

/// How one route is guarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// Served without a token (health probes, version).
    Open,
    /// Needs a token with `scope` and a policy allowing `action` on `resource`.
    Guarded {
        /// The OAuth 2.0 scope the token must have been granted.
        scope: &'static str,
        /// The resource name after the prefix; `{name}` is a path parameter, or a query
        /// parameter for the query-form routes.
        resource: &'static str,
        /// The action.
        action: &'static str,
        /// What goes into the request context.
        context: Context,
    },
}

const fn guarded(scope: &'static str, resource: &'static str, action: &'static str) -> Check {
    Check::Guarded {
        scope,
        resource,
        action,
        context: Context::Empty,
    }
}

const fn with(check: Check, context: Context) -> Check {
    match check {
        Check::Guarded {
            scope,
            resource,
            action,
            ..
        } => Check::Guarded {
            scope,
            resource,
            action,
            context,
        },
        Check::Open => Check::Open,
    }
}

const CONSENT: &str = scopes::CONSENT;

/// `(method, axum route path, check)`. `HEAD` is looked up as `GET`.
#[rustfmt::skip]
pub(crate) static ROUTES: &[(&str, &str, Check)] = &[
    ("GET", HEALTH_ALIVE, Check::Open),
    ("GET", HEALTH_READY, Check::Open),
    ("GET", HEALTH_STATUS, Check::Open),
    ("GET", VERSION, Check::Open),
    // 1.0.0-alpha1 and Prometheus routes, open as in Hydra (stats are guarded).
    ("GET", "/health", Check::Open),
    ("GET", "/metrics/prometheus", Check::Open),
    ("GET", "/health/stats", guarded(scopes::HEALTH, "health:stats", "get")),

    ("POST", CLIENTS, with(guarded(scopes::CLIENTS, "clients", "create"), Context::NewClientOwner)),
    ("GET", CLIENTS, guarded(scopes::CLIENTS, "clients", "get")),
    ("GET", CLIENT, with(guarded(scopes::CLIENTS, "clients:{id}", "get"), Context::StoredClientOwner)),
    ("PUT", CLIENT, with(guarded(scopes::CLIENTS, "clients", "update"), Context::StoredAndNewClientOwner)),
    ("DELETE", CLIENT, with(guarded(scopes::CLIENTS, "clients:{id}", "delete"), Context::StoredClientOwner)),

    ("POST", KEY_SET, guarded(scopes::KEYS_CREATE, "keys:{set}", "create")),
    ("GET", KEY_SET, with(guarded(scopes::KEYS_GET, "keys:{set}:{kid}", "get"), Context::EachKeyOfSet)),
    ("PUT", KEY_SET, guarded(scopes::KEYS_UPDATE, "keys:{set}", "update")),
    ("DELETE", KEY_SET, guarded(scopes::KEYS_DELETE, "keys:{set}", "delete")),
    ("GET", KEY, guarded(scopes::KEYS_GET, "keys:{set}:{kid}", "get")),
    ("PUT", KEY, guarded(scopes::KEYS_UPDATE, "keys:{set}:{kid}", "update")),
    ("DELETE", KEY, guarded(scopes::KEYS_DELETE, "keys:{set}:{kid}", "delete")),

    ("GET", POLICIES, guarded(scopes::POLICIES, "policies", "list")),
    ("POST", POLICIES, guarded(scopes::POLICIES, "policies", "create")),
    ("GET", POLICY, guarded(scopes::POLICIES, "policies:{id}", "get")),
    ("PUT", POLICY, guarded(scopes::POLICIES, "policies:{id}", "update")),
    // Hydra 0.10/0.11 checked `get` here (a slip); deleting is `delete`.
    ("DELETE", POLICY, guarded(scopes::POLICIES, "policies:{id}", "delete")),

    ("POST", OAUTH2_INTROSPECT, guarded(scopes::INTROSPECT, "oauth2:tokens", "introspect")),
    ("POST", OAUTH2_FLUSH, guarded(scopes::FLUSH, "oauth2:tokens", "flush")),

    // 0.10 legacy consent requests (Hydra's own names).
    ("GET", "/oauth2/consent/requests/{id}", guarded(CONSENT, "oauth2:consent:requests:{id}", "get")),
    ("PATCH", "/oauth2/consent/requests/{id}/accept", guarded(CONSENT, "oauth2:consent:requests:{id}", "accept")),
    ("PATCH", "/oauth2/consent/requests/{id}/reject", guarded(CONSENT, "oauth2:consent:requests:{id}", "reject")),
    // 1.0.0-beta consent requests: the challenge plays the legacy request id's part.
    ("GET", CONSENT_REQUEST, guarded(CONSENT, "oauth2:consent:requests:{challenge}", "get")),
    ("PUT", CONSENT_REQUEST_ACCEPT, guarded(CONSENT, "oauth2:consent:requests:{challenge}", "accept")),
    ("PUT", CONSENT_REQUEST_REJECT, guarded(CONSENT, "oauth2:consent:requests:{challenge}", "reject")),
    ("GET", CONSENT_REQUEST_BY_QUERY, guarded(CONSENT, "oauth2:consent:requests:{consent_challenge}", "get")),
    ("PUT", CONSENT_REQUEST_ACCEPT_BY_QUERY, guarded(CONSENT, "oauth2:consent:requests:{consent_challenge}", "accept")),
    ("PUT", CONSENT_REQUEST_REJECT_BY_QUERY, guarded(CONSENT, "oauth2:consent:requests:{consent_challenge}", "reject")),
    // 1.0.0-beta login requests (no 0.x counterpart).
    ("GET", LOGIN_REQUEST, guarded(CONSENT, "oauth2:login:requests:{challenge}", "get")),
    ("PUT", LOGIN_REQUEST_ACCEPT, guarded(CONSENT, "oauth2:login:requests:{challenge}", "accept")),
    ("PUT", LOGIN_REQUEST_REJECT, guarded(CONSENT, "oauth2:login:requests:{challenge}", "reject")),
    ("GET", LOGIN_REQUEST_BY_QUERY, guarded(CONSENT, "oauth2:login:requests:{login_challenge}", "get")),
    ("PUT", LOGIN_REQUEST_ACCEPT_BY_QUERY, guarded(CONSENT, "oauth2:login:requests:{login_challenge}", "accept")),
    ("PUT", LOGIN_REQUEST_REJECT_BY_QUERY, guarded(CONSENT, "oauth2:login:requests:{login_challenge}", "reject")),
    // Logout requests (Hydra 1.x query form and the 2.x `/admin` paths; no 0.x counterpart).
    ("GET", LOGOUT_REQUEST, guarded(CONSENT, "oauth2:logout:requests:{logout_challenge}", "get")),
    ("PUT", LOGOUT_REQUEST_ACCEPT, guarded(CONSENT, "oauth2:logout:requests:{logout_challenge}", "accept")),
    ("PUT", LOGOUT_REQUEST_REJECT, guarded(CONSENT, "oauth2:logout:requests:{logout_challenge}", "reject")),
    ("GET", ADMIN_LOGOUT_REQUEST, guarded(CONSENT, "oauth2:logout:requests:{logout_challenge}", "get")),
    ("PUT", ADMIN_LOGOUT_REQUEST_ACCEPT, guarded(CONSENT, "oauth2:logout:requests:{logout_challenge}", "accept")),
    ("PUT", ADMIN_LOGOUT_REQUEST_REJECT, guarded(CONSENT, "oauth2:logout:requests:{logout_challenge}", "reject")),
    // 1.0.0-beta sessions (no 0.x counterpart).
    ("GET", CONSENT_SESSIONS, guarded(CONSENT, "oauth2:consent:sessions:{user}", "get")),
    ("DELETE", CONSENT_SESSIONS, guarded(CONSENT, "oauth2:consent:sessions:{user}", "delete")),
    ("DELETE", CONSENT_SESSIONS_OF_CLIENT, guarded(CONSENT, "oauth2:consent:sessions:{user}:{client}", "delete")),
    ("DELETE", LOGIN_SESSIONS, guarded(CONSENT, "oauth2:login:sessions:{user}", "delete")),
    // Hydra 1.x query-form sessions and token deletion (the 2.x routes without `/admin`).
    ("GET", CONSENT_SESSIONS_BY_QUERY, guarded(CONSENT, "oauth2:consent:sessions:{subject}", "get")),
    ("DELETE", CONSENT_SESSIONS_BY_QUERY, guarded(CONSENT, "oauth2:consent:sessions:{subject}", "delete")),
    ("DELETE", LOGIN_SESSIONS_BY_QUERY, guarded(CONSENT, "oauth2:login:sessions:{subject}", "delete")),
    ("DELETE", OAUTH2_TOKENS, guarded(scopes::FLUSH, "oauth2:tokens:{client_id}", "delete")),

    // Hydra 2.x `/admin` routes: the same resources and actions as their 1.x counterparts.
    ("POST", ADMIN_CLIENTS, with(guarded(scopes::CLIENTS, "clients", "create"), Context::NewClientOwner)),
    ("GET", ADMIN_CLIENTS, guarded(scopes::CLIENTS, "clients", "get")),
    ("GET", ADMIN_CLIENT, with(guarded(scopes::CLIENTS, "clients:{id}", "get"), Context::StoredClientOwner)),
    ("PUT", ADMIN_CLIENT, with(guarded(scopes::CLIENTS, "clients", "update"), Context::StoredAndNewClientOwner)),
    ("PATCH", ADMIN_CLIENT, with(guarded(scopes::CLIENTS, "clients:{id}", "update"), Context::StoredClientOwner)),
    ("DELETE", ADMIN_CLIENT, with(guarded(scopes::CLIENTS, "clients:{id}", "delete"), Context::StoredClientOwner)),
    ("PUT", ADMIN_CLIENT_LIFESPANS, with(guarded(scopes::CLIENTS, "clients:{id}", "update"), Context::StoredClientOwner)),
    ("POST", ADMIN_KEY_SET, guarded(scopes::KEYS_CREATE, "keys:{set}", "create")),
    ("GET", ADMIN_KEY_SET, with(guarded(scopes::KEYS_GET, "keys:{set}:{kid}", "get"), Context::EachKeyOfSet)),
    ("PUT", ADMIN_KEY_SET, guarded(scopes::KEYS_UPDATE, "keys:{set}", "update")),
    ("DELETE", ADMIN_KEY_SET, guarded(scopes::KEYS_DELETE, "keys:{set}", "delete")),
    ("GET", ADMIN_KEY, guarded(scopes::KEYS_GET, "keys:{set}:{kid}", "get")),
    ("PUT", ADMIN_KEY, guarded(scopes::KEYS_UPDATE, "keys:{set}:{kid}", "update")),
    ("DELETE", ADMIN_KEY, guarded(scopes::KEYS_DELETE, "keys:{set}:{kid}", "delete")),
    ("GET", ADMIN_LOGIN_REQUEST, guarded(CONSENT, "oauth2:login:requests:{login_challenge}", "get")),
    ("PUT", ADMIN_LOGIN_REQUEST_ACCEPT, guarded(CONSENT, "oauth2:login:requests:{login_challenge}", "accept")),
    ("PUT", ADMIN_LOGIN_REQUEST_REJECT, guarded(CONSENT, "oauth2:login:requests:{login_challenge}", "reject")),
    ("GET", ADMIN_CONSENT_REQUEST, guarded(CONSENT, "oauth2:consent:requests:{consent_challenge}", "get")),
    ("PUT", ADMIN_CONSENT_REQUEST_ACCEPT, guarded(CONSENT, "oauth2:consent:requests:{consent_challenge}", "accept")),
    ("PUT", ADMIN_CONSENT_REQUEST_REJECT, guarded(CONSENT, "oauth2:consent:requests:{consent_challenge}", "reject")),
    ("GET", ADMIN_CONSENT_SESSIONS, guarded(CONSENT, "oauth2:consent:sessions:{subject}", "get")),
    ("DELETE", ADMIN_CONSENT_SESSIONS, guarded(CONSENT, "oauth2:consent:sessions:{subject}", "delete")),
    ("DELETE", ADMIN_LOGIN_SESSIONS, guarded(CONSENT, "oauth2:login:sessions:{subject}", "delete")),
    ("POST", ADMIN_INTROSPECT, guarded(scopes::INTROSPECT, "oauth2:tokens", "introspect")),
    ("DELETE", ADMIN_TOKENS, guarded(scopes::FLUSH, "oauth2:tokens:{client_id}", "delete")),
    // Trust relationships of the JWT-bearer grant hold the issuers' public keys: guarded as
    // keys are.
    ("POST", ADMIN_TRUSTED_JWT_ISSUERS, guarded(scopes::KEYS_CREATE, "trust:grants:jwt-bearer:issuers", "create")),
    ("GET", ADMIN_TRUSTED_JWT_ISSUERS, guarded(scopes::KEYS_GET, "trust:grants:jwt-bearer:issuers", "get")),
    ("GET", ADMIN_TRUSTED_JWT_ISSUER, guarded(scopes::KEYS_GET, "trust:grants:jwt-bearer:issuers:{id}", "get")),
    ("DELETE", ADMIN_TRUSTED_JWT_ISSUER, guarded(scopes::KEYS_DELETE, "trust:grants:jwt-bearer:issuers:{id}", "delete")),
];

/// The check of `method path` (the axum route path), `None` when the table lacks it.
pub(crate) fn find(method: &str, path: &str) -> Option<Check> {
    let method = if method == "HEAD" { "GET" } else { method };
    ROUTES
        .iter()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, check)| *check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_admin_route_has_an_entry() {
        let routes: &[(&str, &str)] = &[
            ("GET", CLIENTS),
            ("POST", CLIENTS),
            ("GET", CLIENT),
            ("PUT", CLIENT),
            ("DELETE", CLIENT),
            ("GET", KEY_SET),
            ("POST", KEY_SET),
            ("PUT", KEY_SET),
            ("DELETE", KEY_SET),
            ("GET", KEY),
            ("PUT", KEY),
            ("DELETE", KEY),
            ("GET", POLICIES),
            ("POST", POLICIES),
            ("GET", POLICY),
            ("PUT", POLICY),
            ("DELETE", POLICY),
            ("POST", OAUTH2_INTROSPECT),
            ("POST", OAUTH2_FLUSH),
            ("GET", LOGIN_REQUEST),
            ("PUT", LOGIN_REQUEST_ACCEPT),
            ("PUT", LOGIN_REQUEST_REJECT),
            ("GET", LOGIN_REQUEST_BY_QUERY),
            ("PUT", LOGIN_REQUEST_ACCEPT_BY_QUERY),
            ("PUT", LOGIN_REQUEST_REJECT_BY_QUERY),
            ("GET", CONSENT_REQUEST),
            ("PUT", CONSENT_REQUEST_ACCEPT),
            ("PUT", CONSENT_REQUEST_REJECT),
            ("GET", CONSENT_REQUEST_BY_QUERY),
            ("PUT", CONSENT_REQUEST_ACCEPT_BY_QUERY),
            ("PUT", CONSENT_REQUEST_REJECT_BY_QUERY),
            ("GET", CONSENT_SESSIONS),
            ("DELETE", CONSENT_SESSIONS),
            ("DELETE", CONSENT_SESSIONS_OF_CLIENT),
            ("DELETE", LOGIN_SESSIONS),
            ("GET", CONSENT_SESSIONS_BY_QUERY),
            ("DELETE", CONSENT_SESSIONS_BY_QUERY),
            ("DELETE", LOGIN_SESSIONS_BY_QUERY),
            ("DELETE", OAUTH2_TOKENS),
            ("GET", ADMIN_CLIENTS),
            ("POST", ADMIN_CLIENTS),
            ("GET", ADMIN_CLIENT),
            ("PUT", ADMIN_CLIENT),
            ("PATCH", ADMIN_CLIENT),
            ("DELETE", ADMIN_CLIENT),
            ("PUT", ADMIN_CLIENT_LIFESPANS),
            ("GET", ADMIN_KEY_SET),
            ("POST", ADMIN_KEY_SET),
            ("PUT", ADMIN_KEY_SET),
            ("DELETE", ADMIN_KEY_SET),
            ("GET", ADMIN_KEY),
            ("PUT", ADMIN_KEY),
            ("DELETE", ADMIN_KEY),
            ("GET", ADMIN_LOGIN_REQUEST),
            ("PUT", ADMIN_LOGIN_REQUEST_ACCEPT),
            ("PUT", ADMIN_LOGIN_REQUEST_REJECT),
            ("GET", ADMIN_CONSENT_REQUEST),
            ("PUT", ADMIN_CONSENT_REQUEST_ACCEPT),
            ("PUT", ADMIN_CONSENT_REQUEST_REJECT),
            ("GET", ADMIN_CONSENT_SESSIONS),
            ("DELETE", ADMIN_CONSENT_SESSIONS),
            ("DELETE", ADMIN_LOGIN_SESSIONS),
            ("POST", ADMIN_INTROSPECT),
            ("DELETE", ADMIN_TOKENS),
            ("GET", LOGOUT_REQUEST),
            ("PUT", LOGOUT_REQUEST_ACCEPT),
            ("PUT", LOGOUT_REQUEST_REJECT),
            ("GET", ADMIN_LOGOUT_REQUEST),
            ("PUT", ADMIN_LOGOUT_REQUEST_ACCEPT),
            ("PUT", ADMIN_LOGOUT_REQUEST_REJECT),
        ];
        for (method, path) in routes {
            assert!(
                matches!(find(method, path), Some(Check::Guarded { .. })),
                "{method} {path}"
            );
        }
        for path in [HEALTH_ALIVE, HEALTH_READY, HEALTH_STATUS, VERSION] {
            assert_eq!(find("GET", path), Some(Check::Open));
            assert_eq!(find("HEAD", path), Some(Check::Open));
        }
        assert_eq!(find("POST", VERSION), None, "unknown pairs fail closed");
        let unique: std::collections::HashSet<_> =
            ROUTES.iter().map(|(m, p, _)| (*m, *p)).collect();
        assert_eq!(unique.len(), ROUTES.len(), "one entry per route");
    }
}
