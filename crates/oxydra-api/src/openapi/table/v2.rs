//! Hydra 2.x's `/admin` routes and the Hydra 1.x query-form routes 1.0.0-beta lacked: served
//! by the 1.0.0-beta handlers, so their answers are those routes' answers, re-targeted.

use super::admin::{CLIENT_BODY, ROUTES as BETA};
use super::common::{CONFLICT, NOT_FOUND, admin as route_of};
use super::flows::{
    ACCEPT_CONSENT, ACCEPT_LOGIN_V1X, ANSWERED, CONSENT_QUERY, GET_CONSENT, GET_LOGIN, LOGIN_QUERY,
    REJECT, REVOKED,
};
use crate::openapi::route::{
    Body, Generation, Kind, Method, Query, Reply, Route, Shape, json, model, optional, reply,
    required,
};
use crate::paths::{
    ADMIN_CLIENT, ADMIN_CLIENT_LIFESPANS, ADMIN_CLIENTS, ADMIN_CONSENT_REQUEST,
    ADMIN_CONSENT_REQUEST_ACCEPT, ADMIN_CONSENT_REQUEST_REJECT, ADMIN_CONSENT_SESSIONS,
    ADMIN_INTROSPECT, ADMIN_KEY, ADMIN_KEY_SET, ADMIN_LOGIN_REQUEST, ADMIN_LOGIN_REQUEST_ACCEPT,
    ADMIN_LOGIN_REQUEST_REJECT, ADMIN_LOGIN_SESSIONS, ADMIN_TOKENS, ADMIN_TRUSTED_JWT_ISSUER,
    ADMIN_TRUSTED_JWT_ISSUERS, CONSENT_SESSIONS_BY_QUERY, KEY, KEY_SET, LOGIN_SESSIONS_BY_QUERY,
    OAUTH2_INTROSPECT, OAUTH2_TOKENS,
};
use crate::{
    JsonPatchOperation, OAuth2Client, OAuth2ClientTokenLifespans, PreviousConsentSession,
    TrustOAuth2JwtGrantIssuer, TrustedOAuth2JwtGrantIssuer,
};

const fn v2(method: Method, path: &'static str, id: &'static str, summary: &'static str) -> Route {
    route_of(Generation::V2, method, path, id, summary)
}

const fn v1x(method: Method, path: &'static str, id: &'static str, summary: &'static str) -> Route {
    route_of(Generation::V1x, method, path, id, summary)
}

/// The 1.0.0-beta route `(method, path)` served again at `to` as Hydra 2.x's `id`.
const fn again(method: Method, path: &'static str, to: &'static str, id: &'static str) -> Route {
    let mut i = 0;
    while i < BETA.len() {
        let r = BETA[i];
        if r.method as u8 == method as u8 && const_eq(r.path, path) {
            return Route {
                path: to,
                operation_id: id,
                generation: Generation::V2,
                ..r
            };
        }
        i += 1;
    }
    v2(method, to, id, "")
}

const fn const_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const CLIENT_OK: &[Reply] = &[
    json(
        200,
        model::<OAuth2Client>(),
        "The client (its secret only when this call set it).",
    ),
    NOT_FOUND,
    CONFLICT,
];
const PAGE_SIZE: Query = optional(
    "page_size",
    Kind::Count,
    "Page size, 1 to 500 (default 250).",
);
const PAGE_TOKEN: Query = optional(
    "page_token",
    Kind::Text,
    "The `next` token of the `Link` header.",
);
const SESSION_PAGES: &[Query] = &[required("subject", "The subject."), PAGE_SIZE, PAGE_TOKEN];
const CLIENT_LIST: &[Query] = &[
    PAGE_SIZE,
    PAGE_TOKEN,
    optional(
        "client_name",
        Kind::Text,
        "Only clients of exactly this name.",
    ),
    optional("owner", Kind::Text, "Only clients of exactly this owner."),
];
const SUBJECT: &[Query] = &[
    required("subject", "The subject."),
    optional("client", Kind::Text, "Only the consents with this client."),
    optional(
        "all",
        Kind::Text,
        "`true`: every client's consents (when no client is given).",
    ),
];
const LOGIN_SESSION: &[Query] = &[
    optional(
        "subject",
        Kind::Text,
        "Every login session of this subject.",
    ),
    optional("sid", Kind::Text, "This one login session."),
];
const CLIENT_ID: &[Query] = &[required("client_id", "The client whose tokens to delete.")];
const SESSION_LIST: Reply = reply(
    200,
    Shape::JsonList(model::<PreviousConsentSession>()),
    "One page of the subject's remembered consents; `Link` names the next page.",
);

const TRUST_LIST: &[Query] = &[
    PAGE_SIZE,
    PAGE_TOKEN,
    optional(
        "issuer",
        Kind::Text,
        "Only the trust relationships of exactly this issuer.",
    ),
];

/// The 2.x and 1.x routes.
pub(super) const ROUTES: &[Route] = &[
    Route {
        query: CLIENT_LIST,
        replies: &[reply(
            200,
            Shape::JsonList(model::<OAuth2Client>()),
            "One page of clients; `Link` names the first and next pages.",
        )],
        ..v2(
            Method::Get,
            ADMIN_CLIENTS,
            "listOAuth2ClientsV2",
            "Lists clients by keyset pages.",
        )
    },
    Route {
        body: CLIENT_BODY,
        replies: &[
            json(
                201,
                model::<OAuth2Client>(),
                "Created; the secret is in this answer only.",
            ),
            CONFLICT,
        ],
        ..v2(
            Method::Post,
            ADMIN_CLIENTS,
            "createOAuth2ClientV2",
            "Creates a client (a generated id when none is given).",
        )
    },
    Route {
        replies: CLIENT_OK,
        ..v2(
            Method::Get,
            ADMIN_CLIENT,
            "getOAuth2ClientV2",
            "Reads one client.",
        )
    },
    Route {
        body: CLIENT_BODY,
        replies: CLIENT_OK,
        ..v2(
            Method::Put,
            ADMIN_CLIENT,
            "setOAuth2ClientV2",
            "Replaces one client.",
        )
    },
    Route {
        body: Body::JsonList(model::<JsonPatchOperation>()),
        replies: CLIENT_OK,
        ..v2(
            Method::Patch,
            ADMIN_CLIENT,
            "patchOAuth2ClientV2",
            "Patches one client (RFC 6902); client_id cannot change.",
        )
    },
    Route {
        replies: &[reply(204, Shape::Empty, "Deleted."), NOT_FOUND],
        ..v2(
            Method::Delete,
            ADMIN_CLIENT,
            "deleteOAuth2ClientV2",
            "Deletes one client.",
        )
    },
    Route {
        body: Body::Json {
            model: model::<OAuth2ClientTokenLifespans>(),
            required: true,
        },
        replies: CLIENT_OK,
        ..v2(
            Method::Put,
            ADMIN_CLIENT_LIFESPANS,
            "setOAuth2ClientLifespans",
            "Replaces one client's token lifespans.",
        )
    },
    again(Method::Get, KEY_SET, ADMIN_KEY_SET, "getJsonWebKeySetV2"),
    again(
        Method::Post,
        KEY_SET,
        ADMIN_KEY_SET,
        "createJsonWebKeySetV2",
    ),
    again(Method::Put, KEY_SET, ADMIN_KEY_SET, "setJsonWebKeySetV2"),
    again(
        Method::Delete,
        KEY_SET,
        ADMIN_KEY_SET,
        "deleteJsonWebKeySetV2",
    ),
    again(Method::Get, KEY, ADMIN_KEY, "getJsonWebKeyV2"),
    again(Method::Put, KEY, ADMIN_KEY, "setJsonWebKeyV2"),
    again(Method::Delete, KEY, ADMIN_KEY, "deleteJsonWebKeyV2"),
    again(
        Method::Post,
        OAUTH2_INTROSPECT,
        ADMIN_INTROSPECT,
        "introspectOAuth2TokenV2",
    ),
    Route {
        query: LOGIN_QUERY,
        replies: GET_LOGIN,
        ..v2(
            Method::Get,
            ADMIN_LOGIN_REQUEST,
            "getOAuth2LoginRequest",
            "Reads a login request (2.x client shape).",
        )
    },
    Route {
        query: LOGIN_QUERY,
        body: ACCEPT_LOGIN_V1X,
        replies: ANSWERED,
        ..v2(
            Method::Put,
            ADMIN_LOGIN_REQUEST_ACCEPT,
            "acceptOAuth2LoginRequest",
            "Accepts a login request.",
        )
    },
    Route {
        query: LOGIN_QUERY,
        body: REJECT,
        replies: ANSWERED,
        ..v2(
            Method::Put,
            ADMIN_LOGIN_REQUEST_REJECT,
            "rejectOAuth2LoginRequest",
            "Rejects a login request.",
        )
    },
    Route {
        query: CONSENT_QUERY,
        replies: GET_CONSENT,
        ..v2(
            Method::Get,
            ADMIN_CONSENT_REQUEST,
            "getOAuth2ConsentRequestV2",
            "Reads a consent request (2.x client shape, with skip_consent).",
        )
    },
    Route {
        query: CONSENT_QUERY,
        body: ACCEPT_CONSENT,
        replies: ANSWERED,
        ..v2(
            Method::Put,
            ADMIN_CONSENT_REQUEST_ACCEPT,
            "acceptOAuth2ConsentRequestV2",
            "Accepts a consent request.",
        )
    },
    Route {
        query: CONSENT_QUERY,
        body: REJECT,
        replies: ANSWERED,
        ..v2(
            Method::Put,
            ADMIN_CONSENT_REQUEST_REJECT,
            "rejectOAuth2ConsentRequestV2",
            "Rejects a consent request.",
        )
    },
    Route {
        query: SESSION_PAGES,
        replies: &[SESSION_LIST],
        ..v2(
            Method::Get,
            ADMIN_CONSENT_SESSIONS,
            "listOAuth2ConsentSessions",
            "Lists a subject's remembered consents (`?subject=`).",
        )
    },
    Route {
        query: SUBJECT,
        replies: REVOKED,
        ..v2(
            Method::Delete,
            ADMIN_CONSENT_SESSIONS,
            "revokeOAuth2ConsentSessions",
            "Revokes a subject's consents with one client or all.",
        )
    },
    Route {
        query: LOGIN_SESSION,
        replies: REVOKED,
        ..v2(
            Method::Delete,
            ADMIN_LOGIN_SESSIONS,
            "revokeOAuth2LoginSessions",
            "Forgets login sessions by subject or by session id.",
        )
    },
    Route {
        query: CLIENT_ID,
        replies: REVOKED,
        ..v2(
            Method::Delete,
            ADMIN_TOKENS,
            "deleteOAuth2Token",
            "Revokes every access and refresh token of a client.",
        )
    },
    Route {
        query: SESSION_PAGES,
        replies: &[SESSION_LIST],
        ..v1x(
            Method::Get,
            CONSENT_SESSIONS_BY_QUERY,
            "listSubjectConsentSessionsV1",
            "Lists a subject's remembered consents (`?subject=`).",
        )
    },
    Route {
        query: SUBJECT,
        replies: REVOKED,
        ..v1x(
            Method::Delete,
            CONSENT_SESSIONS_BY_QUERY,
            "revokeConsentSessionsV1",
            "Revokes a subject's consents with one client or all.",
        )
    },
    Route {
        query: LOGIN_SESSION,
        replies: REVOKED,
        ..v1x(
            Method::Delete,
            LOGIN_SESSIONS_BY_QUERY,
            "revokeAuthenticationSessionV1",
            "Forgets login sessions by subject or by session id.",
        )
    },
    Route {
        query: CLIENT_ID,
        replies: REVOKED,
        ..v1x(
            Method::Delete,
            OAUTH2_TOKENS,
            "deleteOAuth2TokenV1",
            "Revokes every access and refresh token of a client.",
        )
    },
    Route {
        query: TRUST_LIST,
        replies: &[reply(
            200,
            Shape::JsonList(model::<TrustedOAuth2JwtGrantIssuer>()),
            "One page of trust relationships, ordered by id; `Link` names the first and next pages.",
        )],
        ..v2(
            Method::Get,
            ADMIN_TRUSTED_JWT_ISSUERS,
            "listTrustedOAuth2JwtGrantIssuers",
            "Lists the JWT-bearer grant's trust relationships (RFC 7523).",
        )
    },
    Route {
        body: Body::Json {
            model: model::<TrustOAuth2JwtGrantIssuer>(),
            required: true,
        },
        replies: &[
            json(
                201,
                model::<TrustedOAuth2JwtGrantIssuer>(),
                "Created; `Location` names the new trust relationship.",
            ),
            CONFLICT,
        ],
        ..v2(
            Method::Post,
            ADMIN_TRUSTED_JWT_ISSUERS,
            "trustOAuth2JwtGrantIssuer",
            "Trusts an issuer's key for JWT-bearer assertions about one subject or any.",
        )
    },
    Route {
        replies: &[
            json(
                200,
                model::<TrustedOAuth2JwtGrantIssuer>(),
                "The trust relationship.",
            ),
            NOT_FOUND,
        ],
        ..v2(
            Method::Get,
            ADMIN_TRUSTED_JWT_ISSUER,
            "getTrustedOAuth2JwtGrantIssuer",
            "Reads one trust relationship.",
        )
    },
    Route {
        replies: &[reply(204, Shape::Empty, "Deleted."), NOT_FOUND],
        ..v2(
            Method::Delete,
            ADMIN_TRUSTED_JWT_ISSUER,
            "deleteTrustedOAuth2JwtGrantIssuer",
            "Deletes one trust relationship; its issuer's assertions under it are refused from now on.",
        )
    },
];
