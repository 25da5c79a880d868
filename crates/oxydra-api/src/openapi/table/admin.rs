//! The admin port's management routes of Hydra 1.0.0-beta (`shared/spec/api.md` §2.2):
//! clients, JSON Web Keys (also 1.0.0-alpha1's), introspection, flush and Prometheus.

use super::common::{CONFLICT, NOT_FOUND, PAGING, beta_admin as admin};
use crate::openapi::forms::IntrospectRequestForm;
use crate::openapi::route::{Body, Method, Route, Shape, error, json, model, reply};
use crate::paths::{
    CLIENT, CLIENTS, KEY, KEY_SET, METRICS_PROMETHEUS, OAUTH2_FLUSH, OAUTH2_INTROSPECT,
};
use crate::{
    FlushInactiveOAuth2TokensRequest, JSONWebKey, JSONWebKeySet, JsonWebKeySetGeneratorRequest,
    OAuth2Client, OAuth2TokenIntrospection,
};

pub(super) const CLIENT_BODY: Body = Body::Json {
    model: model::<OAuth2Client>(),
    required: true,
};

pub(super) const KEY_SET_OK: &str = "The key set.";

/// Client, key, token and metrics routes of the admin port.
pub(super) const ROUTES: &[Route] = &[
    Route {
        query: PAGING,
        replies: &[reply(
            200,
            Shape::JsonList(model::<OAuth2Client>()),
            "One page of clients, without secrets; `Link` names the other pages.",
        )],
        ..admin(
            Method::Get,
            CLIENTS,
            "listOAuth2Clients",
            "Lists the OAuth 2.0 clients.",
        )
    },
    Route {
        body: CLIENT_BODY,
        replies: &[
            json(
                201,
                model::<OAuth2Client>(),
                "Created; the plaintext secret is in this answer only; `Location` names the client.",
            ),
            CONFLICT,
        ],
        ..admin(
            Method::Post,
            CLIENTS,
            "createOAuth2Client",
            "Creates an OAuth 2.0 client.",
        )
    },
    Route {
        replies: &[
            json(
                200,
                model::<OAuth2Client>(),
                "The client, without its secret.",
            ),
            NOT_FOUND,
        ],
        ..admin(Method::Get, CLIENT, "getOAuth2Client", "Reads one client.")
    },
    Route {
        body: CLIENT_BODY,
        replies: &[
            json(
                200,
                model::<OAuth2Client>(),
                "The updated client; the secret only when one was sent.",
            ),
            NOT_FOUND,
            CONFLICT,
        ],
        ..admin(
            Method::Put,
            CLIENT,
            "updateOAuth2Client",
            "Replaces one client (the path's id wins).",
        )
    },
    Route {
        replies: &[reply(204, Shape::Empty, "Deleted."), NOT_FOUND],
        ..admin(
            Method::Delete,
            CLIENT,
            "deleteOAuth2Client",
            "Deletes one client and its tokens.",
        )
    },
    Route {
        replies: &[json(200, model::<JSONWebKeySet>(), KEY_SET_OK), NOT_FOUND],
        ..admin(
            Method::Get,
            KEY_SET,
            "getJsonWebKeySet",
            "Reads a key set, private keys included.",
        )
    },
    Route {
        body: Body::Json {
            model: model::<JsonWebKeySetGeneratorRequest>(),
            required: true,
        },
        replies: &[
            json(201, model::<JSONWebKeySet>(), "The generated key pair."),
            CONFLICT,
        ],
        ..admin(
            Method::Post,
            KEY_SET,
            "createJsonWebKeySet",
            "Generates a key pair into a set.",
        )
    },
    Route {
        body: Body::Json {
            model: model::<JSONWebKeySet>(),
            required: true,
        },
        replies: &[json(200, model::<JSONWebKeySet>(), KEY_SET_OK), CONFLICT],
        ..admin(
            Method::Put,
            KEY_SET,
            "updateJsonWebKeySet",
            "Replaces a key set.",
        )
    },
    Route {
        replies: &[
            reply(204, Shape::Empty, "Deleted."),
            error(
                404,
                "No such set (Hydra answers 204; see docs/api-compat.md).",
            ),
            CONFLICT,
        ],
        ..admin(
            Method::Delete,
            KEY_SET,
            "deleteJsonWebKeySet",
            "Deletes a key set.",
        )
    },
    Route {
        replies: &[
            json(200, model::<JSONWebKeySet>(), "A set holding that one key."),
            NOT_FOUND,
        ],
        ..admin(Method::Get, KEY, "getJsonWebKey", "Reads one key.")
    },
    Route {
        body: Body::Json {
            model: model::<JSONWebKey>(),
            required: true,
        },
        replies: &[
            json(200, model::<JSONWebKey>(), "The key as stored."),
            CONFLICT,
        ],
        ..admin(
            Method::Put,
            KEY,
            "updateJsonWebKey",
            "Inserts or replaces one key.",
        )
    },
    Route {
        replies: &[
            reply(204, Shape::Empty, "Deleted."),
            error(
                404,
                "No such key (Hydra answers 204; see docs/api-compat.md).",
            ),
            CONFLICT,
        ],
        ..admin(Method::Delete, KEY, "deleteJsonWebKey", "Deletes one key.")
    },
    Route {
        body: Body::Form(model::<IntrospectRequestForm>()),
        replies: &[json(
            200,
            model::<OAuth2TokenIntrospection>(),
            "What the token is; exactly `{\"active\":false}` for an unknown, expired or revoked one.",
        )],
        ..admin(
            Method::Post,
            OAUTH2_INTROSPECT,
            "introspectOAuth2Token",
            "Introspects a token (RFC 7662).",
        )
    },
    Route {
        body: Body::Json {
            model: model::<FlushInactiveOAuth2TokensRequest>(),
            required: false,
        },
        replies: &[reply(204, Shape::Empty, "Flushed.")],
        ..admin(
            Method::Post,
            OAUTH2_FLUSH,
            "flushInactiveOAuth2Tokens",
            "Deletes tokens that expired before `notAfter`.",
        )
    },
    Route {
        replies: &[reply(
            200,
            Shape::Text("text/plain"),
            "The counters in the Prometheus text format.",
        )],
        errors: &[],
        ..admin(
            Method::Get,
            METRICS_PROMETHEUS,
            "getPrometheusMetrics",
            "This instance's counters for Prometheus.",
        )
    },
];
