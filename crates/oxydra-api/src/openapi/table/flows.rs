//! The admin port's login and consent routes of Hydra 1.0.0-beta (`shared/spec/api.md` §2.2):
//! the requests the login and consent apps read and answer (by path, and by Hydra 1.x's
//! query form), and the remembered sessions.

use super::common::{CONFLICT, NOT_FOUND, PAGING, beta_admin as admin};
use crate::openapi::route::{
    Body, Method, Query, Reply, Route, Shape, json, model, reply, required,
};
use crate::paths::{
    ADMIN_LOGOUT_REQUEST, ADMIN_LOGOUT_REQUEST_ACCEPT, ADMIN_LOGOUT_REQUEST_REJECT,
    CONSENT_CHALLENGE_PARAM, CONSENT_REQUEST, CONSENT_REQUEST_ACCEPT,
    CONSENT_REQUEST_ACCEPT_BY_QUERY, CONSENT_REQUEST_BY_QUERY, CONSENT_REQUEST_REJECT,
    CONSENT_REQUEST_REJECT_BY_QUERY, CONSENT_SESSIONS, CONSENT_SESSIONS_OF_CLIENT,
    LOGIN_CHALLENGE_PARAM, LOGIN_REQUEST, LOGIN_REQUEST_ACCEPT, LOGIN_REQUEST_ACCEPT_BY_QUERY,
    LOGIN_REQUEST_BY_QUERY, LOGIN_REQUEST_REJECT, LOGIN_REQUEST_REJECT_BY_QUERY, LOGIN_SESSIONS,
    LOGOUT_CHALLENGE_PARAM, LOGOUT_REQUEST, LOGOUT_REQUEST_ACCEPT, LOGOUT_REQUEST_REJECT,
};
use crate::{
    AcceptConsentRequest, AcceptLoginRequest, AcceptOAuth2LoginRequest, CompletedRequest,
    ConsentRequest, LoginRequest, LogoutRequest, PreviousConsentSession, RejectRequest,
};

const LOGOUT_QUERY: &[Query] = &[required(LOGOUT_CHALLENGE_PARAM, "The logout challenge.")];
const GET_LOGOUT: &[Reply] = &[
    json(200, model::<LogoutRequest>(), "The logout request."),
    NOT_FOUND,
    CONFLICT,
];
const LOGOUT_ACCEPTED: &[Reply] = &[
    json(
        200,
        model::<CompletedRequest>(),
        "Where to send the browser next (`redirect_to`, with the `logout_verifier`).",
    ),
    NOT_FOUND,
    CONFLICT,
];
const LOGOUT_REJECTED: &[Reply] = &[
    reply(204, Shape::Empty, "Rejected: the login session stays."),
    NOT_FOUND,
    CONFLICT,
];

/// The logout request routes, by Hydra 1.x path (`…`) and Hydra 2.x path (`/admin…`).
macro_rules! logout_routes {
    ($($path:ident, $accept:ident, $reject:ident, $suffix:literal;)*) => {
        &[$(
            Route {
                query: LOGOUT_QUERY,
                replies: GET_LOGOUT,
                ..admin(
                    Method::Get,
                    $path,
                    concat!("getLogoutRequest", $suffix),
                    "Reads a logout request.",
                )
            },
            Route {
                query: LOGOUT_QUERY,
                replies: LOGOUT_ACCEPTED,
                ..admin(
                    Method::Put,
                    $accept,
                    concat!("acceptLogoutRequest", $suffix),
                    "Accepts a logout request: the login session ends when the browser returns.",
                )
            },
            Route {
                query: LOGOUT_QUERY,
                replies: LOGOUT_REJECTED,
                ..admin(
                    Method::Put,
                    $reject,
                    concat!("rejectLogoutRequest", $suffix),
                    "Rejects a logout request: it is deleted, the login session stays.",
                )
            },
        )*]
    };
}

/// Logout requests, under both path generations.
pub(super) const LOGOUT_ROUTES: &[Route] = logout_routes! {
    LOGOUT_REQUEST, LOGOUT_REQUEST_ACCEPT, LOGOUT_REQUEST_REJECT, "";
    ADMIN_LOGOUT_REQUEST, ADMIN_LOGOUT_REQUEST_ACCEPT, ADMIN_LOGOUT_REQUEST_REJECT, "V2";
};

pub(super) const LOGIN_QUERY: &[Query] = &[required(LOGIN_CHALLENGE_PARAM, "The login challenge.")];
pub(super) const CONSENT_QUERY: &[Query] =
    &[required(CONSENT_CHALLENGE_PARAM, "The consent challenge.")];

pub(super) const GET_LOGIN: &[Reply] = &[
    json(200, model::<LoginRequest>(), "The login request."),
    NOT_FOUND,
    CONFLICT,
];
pub(super) const GET_CONSENT: &[Reply] = &[
    json(200, model::<ConsentRequest>(), "The consent request."),
    NOT_FOUND,
    CONFLICT,
];
pub(super) const ANSWERED: &[Reply] = &[
    json(
        200,
        model::<CompletedRequest>(),
        "Where to send the browser next (`redirect_to`).",
    ),
    NOT_FOUND,
    CONFLICT,
];
pub(super) const REVOKED: &[Reply] = &[reply(204, Shape::Empty, "Revoked."), NOT_FOUND];

pub(super) const ACCEPT_LOGIN: Body = Body::Json {
    model: model::<AcceptLoginRequest>(),
    required: true,
};
/// The Hydra 1.x query-form and 2.x accept body: 1.0.0-beta's plus `amr`, `context`, ...
pub(super) const ACCEPT_LOGIN_V1X: Body = Body::Json {
    model: model::<AcceptOAuth2LoginRequest>(),
    required: true,
};
pub(super) const ACCEPT_CONSENT: Body = Body::Json {
    model: model::<AcceptConsentRequest>(),
    required: true,
};
pub(super) const REJECT: Body = Body::Json {
    model: model::<RejectRequest>(),
    required: true,
};

/// Login and consent requests and sessions.
pub(super) const ROUTES: &[Route] = &[
    Route {
        replies: GET_LOGIN,
        ..admin(
            Method::Get,
            LOGIN_REQUEST,
            "getLoginRequest",
            "Reads a login request.",
        )
    },
    Route {
        query: LOGIN_QUERY,
        replies: GET_LOGIN,
        ..admin(
            Method::Get,
            LOGIN_REQUEST_BY_QUERY,
            "getLoginRequestByQuery",
            "Reads a login request (query form).",
        )
    },
    Route {
        body: ACCEPT_LOGIN,
        replies: ANSWERED,
        ..admin(
            Method::Put,
            LOGIN_REQUEST_ACCEPT,
            "acceptLoginRequest",
            "Accepts a login request: the user is authenticated.",
        )
    },
    Route {
        query: LOGIN_QUERY,
        body: ACCEPT_LOGIN_V1X,
        replies: ANSWERED,
        ..admin(
            Method::Put,
            LOGIN_REQUEST_ACCEPT_BY_QUERY,
            "acceptLoginRequestByQuery",
            "Accepts a login request (query form).",
        )
    },
    Route {
        body: REJECT,
        replies: ANSWERED,
        ..admin(
            Method::Put,
            LOGIN_REQUEST_REJECT,
            "rejectLoginRequest",
            "Rejects a login request.",
        )
    },
    Route {
        query: LOGIN_QUERY,
        body: REJECT,
        replies: ANSWERED,
        ..admin(
            Method::Put,
            LOGIN_REQUEST_REJECT_BY_QUERY,
            "rejectLoginRequestByQuery",
            "Rejects a login request (query form).",
        )
    },
    Route {
        replies: GET_CONSENT,
        ..admin(
            Method::Get,
            CONSENT_REQUEST,
            "getConsentRequest",
            "Reads a consent request.",
        )
    },
    Route {
        query: CONSENT_QUERY,
        replies: GET_CONSENT,
        ..admin(
            Method::Get,
            CONSENT_REQUEST_BY_QUERY,
            "getConsentRequestByQuery",
            "Reads a consent request (query form).",
        )
    },
    Route {
        body: ACCEPT_CONSENT,
        replies: ANSWERED,
        ..admin(
            Method::Put,
            CONSENT_REQUEST_ACCEPT,
            "acceptConsentRequest",
            "Accepts a consent request: grants scopes and audiences.",
        )
    },
    Route {
        query: CONSENT_QUERY,
        body: ACCEPT_CONSENT,
        replies: ANSWERED,
        ..admin(
            Method::Put,
            CONSENT_REQUEST_ACCEPT_BY_QUERY,
            "acceptConsentRequestByQuery",
            "Accepts a consent request (query form).",
        )
    },
    Route {
        body: REJECT,
        replies: ANSWERED,
        ..admin(
            Method::Put,
            CONSENT_REQUEST_REJECT,
            "rejectConsentRequest",
            "Rejects a consent request.",
        )
    },
    Route {
        query: CONSENT_QUERY,
        body: REJECT,
        replies: ANSWERED,
        ..admin(
            Method::Put,
            CONSENT_REQUEST_REJECT_BY_QUERY,
            "rejectConsentRequestByQuery",
            "Rejects a consent request (query form).",
        )
    },
    Route {
        query: PAGING,
        replies: &[reply(
            200,
            Shape::JsonList(model::<PreviousConsentSession>()),
            "One page of the subject's remembered consents (`[]` when none).",
        )],
        ..admin(
            Method::Get,
            CONSENT_SESSIONS,
            "listUserConsentSessions",
            "Lists a subject's remembered consents.",
        )
    },
    Route {
        replies: REVOKED,
        ..admin(
            Method::Delete,
            CONSENT_SESSIONS,
            "revokeAllUserConsentSessions",
            "Revokes every remembered consent of a subject.",
        )
    },
    Route {
        replies: REVOKED,
        ..admin(
            Method::Delete,
            CONSENT_SESSIONS_OF_CLIENT,
            "revokeUserClientConsentSessions",
            "Revokes a subject's remembered consents with one client.",
        )
    },
    Route {
        replies: REVOKED,
        ..admin(
            Method::Delete,
            LOGIN_SESSIONS,
            "revokeAuthenticationSession",
            "Forgets a subject's remembered logins.",
        )
    },
];
