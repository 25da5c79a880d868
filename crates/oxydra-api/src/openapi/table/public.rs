//! The public port's routes (`shared/spec/api.md` §2.1): the OAuth 2.0 and OpenID Connect
//! endpoints browsers and clients reach, and the fallback pages.

use super::common::{
    BAD_REQUEST, CLIENT_UNAUTHORIZED, FAILED, TOO_MANY_FAILURES, UNAVAILABLE, route,
};
use crate::openapi::forms::{
    AuthorizeForm, DeviceAuthorizationForm, DeviceVerifyForm, EndSessionForm,
    LogoutConfirmationForm, PushedAuthorizationForm, RevokeRequestForm, TokenRequestForm,
    UserinfoForm,
};
use crate::openapi::route::{
    Body, Generation, Kind, Method, Ports, Route, Shape, error, json, model, optional, reply,
};
use crate::paths::{
    END_SESSION, LOGIN_SESSION_REVOKE, OAUTH2_AUTH, OAUTH2_DEVICE_AUTH, OAUTH2_DEVICE_VERIFY,
    OAUTH2_PAR, OAUTH2_REGISTER, OAUTH2_REGISTERED_CLIENT, OAUTH2_REVOKE, OAUTH2_TOKEN, USERINFO,
    WELL_KNOWN_JWKS, WELL_KNOWN_OPENID_CONFIGURATION,
};
use crate::{
    DeviceAuthorization, JSONWebKeySet, OAuth2Client, OauthTokenResponse,
    PushedAuthorizationResponse, RegisteredClient, UserinfoResponse, WellKnown,
};

const fn public(
    method: Method,
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
) -> Route {
    route(
        Ports::Public,
        Generation::V1Beta,
        method,
        path,
        operation_id,
        summary,
    )
}

/// The client metadata a registration sends (RFC 7591 §2).
const REGISTRATION_BODY: Body = Body::Json {
    model: model::<OAuth2Client>(),
    required: true,
};

/// 400 at the registration endpoints (RFC 7591 §3.2.2).
const REGISTRATION_REFUSED: crate::openapi::route::Reply = error(
    400,
    "`invalid_redirect_uri`, `invalid_client_metadata` (also for a field reserved to \
     operators, a chosen `client_id` or `client_secret`), or `invalid_request`.",
);

/// 401 at the management endpoints (RFC 7592 §2): the same for every failure, so that no
/// client's existence is revealed.
const REGISTRATION_UNAUTHORIZED: crate::openapi::route::Reply = error(
    401,
    "`invalid_token`: no, or a wrong, registration access token, or no such client.",
);

/// 404 from every registration route while registration is off (the default).
const REGISTRATION_OFF: crate::openapi::route::Reply = error(
    404,
    "Dynamic client registration is off (OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED=false, the \
     default).",
);

const END_SESSION_QUERY: &[crate::openapi::route::Query] = &[
    optional(
        "id_token_hint",
        Kind::Text,
        "An ID token this server issued to the client asking.",
    ),
    optional(
        "post_logout_redirect_uri",
        Kind::Text,
        "Where to send the browser afterwards: one the hinted client registered.",
    ),
    optional(
        "state",
        Kind::Text,
        "Returned to `post_logout_redirect_uri`.",
    ),
    optional(
        "logout_verifier",
        Kind::Text,
        "Brought back by the browser once the logout app accepted the request.",
    ),
];

const END_SESSION_REPLIES: &[crate::openapi::route::Reply] = &[
    reply(
        302,
        Shape::Redirect,
        "To the logout app (`logout_challenge`), to the post-logout target, or to the error \
         page (`invalid_request`: a forged hint, an unregistered target).",
    ),
    reply(
        200,
        Shape::Html,
        "The front-channel logout page: the clients' logout pages in iframes, then on.",
    ),
    FAILED,
    UNAVAILABLE,
];

const AUTHORIZE_REPLIES: &[crate::openapi::route::Reply] = &[
    reply(
        302,
        Shape::Redirect,
        "To the login app, the consent app, the client (with the code, the tokens or the \
         error), or the error page when the client or its redirect URI cannot be trusted.",
    ),
    reply(
        200,
        Shape::Html,
        "`response_mode=form_post`: a page that posts the answer to the client.",
    ),
];

const AUTHORIZE_QUERY: &[crate::openapi::route::Query] = &[
    optional("client_id", Kind::Text, "The client."),
    optional(
        "response_type",
        Kind::Text,
        "`code`, `token`, `id_token` or a combination.",
    ),
    optional(
        "redirect_uri",
        Kind::Text,
        "One of the client's redirect URIs.",
    ),
    optional("scope", Kind::Text, "Space-separated scopes."),
    optional("state", Kind::Text, "Returned to the client unchanged."),
    optional("nonce", Kind::Text, "OIDC nonce."),
    optional("prompt", Kind::Text, "`none`, `login`, `consent`."),
    optional(
        "request_uri",
        Kind::Text,
        "A pushed request's reference (RFC 9126; the pushed parameters are used, the others \
         ignored), or the URL of a request object (OIDC Core §6.2).",
    ),
    optional("login_verifier", Kind::Text, "Sent back by the login app."),
    optional(
        "consent_verifier",
        Kind::Text,
        "Sent back by the consent app.",
    ),
];

const TOKEN_REPLIES: &[crate::openapi::route::Reply] = &[
    json(
        200,
        model::<OauthTokenResponse>(),
        "The tokens (`Cache-Control: no-store`).",
    ),
    BAD_REQUEST,
    CLIENT_UNAUTHORIZED,
    error(
        403,
        "The client may not use this grant or scope; or (device grant) the user denied it.",
    ),
    TOO_MANY_FAILURES,
    FAILED,
    UNAVAILABLE,
];

const USERINFO_REPLIES: &[crate::openapi::route::Reply] = &[
    reply(
        200,
        Shape::JsonOrJwt(model::<UserinfoResponse>()),
        "The claims; a signed JWT when the client set `userinfo_signed_response_alg`.",
    ),
    BAD_REQUEST,
    error(401, "No valid access token (`WWW-Authenticate: Bearer`)."),
    error(403, "The token lacks the `openid` scope."),
    FAILED,
    UNAVAILABLE,
];

/// The public port's OAuth 2.0 / OIDC routes.
pub(super) const ROUTES: &[Route] = &[
    Route {
        replies: &[
            json(200, model::<WellKnown>(), "The OpenID Provider metadata."),
            FAILED,
        ],
        ..public(
            Method::Get,
            WELL_KNOWN_OPENID_CONFIGURATION,
            "getWellKnown",
            "OpenID Provider metadata (OIDC Discovery 1.0 §4).",
        )
    },
    Route {
        replies: &[
            json(200, model::<JSONWebKeySet>(), "The public signing keys."),
            FAILED,
            UNAVAILABLE,
        ],
        ..public(
            Method::Get,
            WELL_KNOWN_JWKS,
            "wellKnown",
            "The public keys ID tokens and JWT access tokens are signed with (RFC 7517).",
        )
    },
    Route {
        query: AUTHORIZE_QUERY,
        replies: AUTHORIZE_REPLIES,
        ..public(
            Method::Get,
            OAUTH2_AUTH,
            "oauthAuth",
            "The authorization endpoint (RFC 6749 §3.1); always answers with a redirect.",
        )
    },
    Route {
        query: AUTHORIZE_QUERY,
        body: Body::Form(model::<AuthorizeForm>()),
        replies: AUTHORIZE_REPLIES,
        ..public(
            Method::Post,
            OAUTH2_AUTH,
            "oauthAuthPost",
            "The authorization endpoint with its parameters in a form body.",
        )
    },
    Route {
        body: Body::Form(model::<TokenRequestForm>()),
        replies: TOKEN_REPLIES,
        ..public(
            Method::Post,
            OAUTH2_TOKEN,
            "oauthToken",
            "The token endpoint (RFC 6749 §3.2).",
        )
    },
    Route {
        body: Body::Form(model::<PushedAuthorizationForm>()),
        replies: &[
            json(
                201,
                model::<PushedAuthorizationResponse>(),
                "The `request_uri` to send the browser to `/oauth2/auth` with (`Cache-Control: no-store`).",
            ),
            BAD_REQUEST,
            CLIENT_UNAUTHORIZED,
            TOO_MANY_FAILURES,
            FAILED,
            UNAVAILABLE,
        ],
        ..public(
            Method::Post,
            OAUTH2_PAR,
            "oAuth2PushedAuthorization",
            "Pushed authorization requests (RFC 9126 §2); served unless OXYDRA_PAR=false.",
        )
    },
    Route {
        body: REGISTRATION_BODY,
        replies: &[
            json(
                201,
                model::<RegisteredClient>(),
                "The client, its secret (confidential clients, this once), its \
                 `registration_access_token` and `registration_client_uri`.",
            ),
            REGISTRATION_REFUSED,
            REGISTRATION_OFF,
            FAILED,
            UNAVAILABLE,
        ],
        ..public(
            Method::Post,
            OAUTH2_REGISTER,
            "createOidcDynamicClient",
            "Dynamic client registration (RFC 7591 §3); served only with \
             OIDC_DYNAMIC_CLIENT_REGISTRATION_ENABLED=true.",
        )
    },
    Route {
        replies: &[
            json(
                200,
                model::<RegisteredClient>(),
                "The client, without secret or token.",
            ),
            REGISTRATION_UNAUTHORIZED,
            REGISTRATION_OFF,
            FAILED,
            UNAVAILABLE,
        ],
        ..public(
            Method::Get,
            OAUTH2_REGISTERED_CLIENT,
            "getOidcDynamicClient",
            "Reads a dynamically registered client (RFC 7592 §2.1) with its registration \
             access token (`Authorization: Bearer`).",
        )
    },
    Route {
        body: REGISTRATION_BODY,
        replies: &[
            json(
                200,
                model::<RegisteredClient>(),
                "The client and its new `registration_access_token` (the old one no longer \
                 works).",
            ),
            REGISTRATION_REFUSED,
            REGISTRATION_UNAUTHORIZED,
            REGISTRATION_OFF,
            FAILED,
            UNAVAILABLE,
        ],
        ..public(
            Method::Put,
            OAUTH2_REGISTERED_CLIENT,
            "setOidcDynamicClient",
            "Replaces a dynamically registered client's metadata (RFC 7592 §2.2).",
        )
    },
    Route {
        replies: &[
            reply(204, Shape::Empty, "Deleted, with its tokens."),
            REGISTRATION_UNAUTHORIZED,
            REGISTRATION_OFF,
            FAILED,
            UNAVAILABLE,
        ],
        ..public(
            Method::Delete,
            OAUTH2_REGISTERED_CLIENT,
            "deleteOidcDynamicClient",
            "Deletes a dynamically registered client (RFC 7592 §2.3).",
        )
    },
    Route {
        body: Body::Form(model::<DeviceAuthorizationForm>()),
        replies: &[
            json(
                200,
                model::<DeviceAuthorization>(),
                "The device code, the user code and where the user types it.",
            ),
            BAD_REQUEST,
            CLIENT_UNAUTHORIZED,
            TOO_MANY_FAILURES,
            FAILED,
            UNAVAILABLE,
        ],
        ..public(
            Method::Post,
            OAUTH2_DEVICE_AUTH,
            "oAuth2DeviceFlow",
            "The device authorization endpoint (RFC 8628 §3.1); served unless OXYDRA_DEVICE_FLOW=false.",
        )
    },
    Route {
        query: &[
            optional(
                "user_code",
                Kind::Text,
                "Fills in the user code (`verification_uri_complete`).",
            ),
            optional(
                "device_challenge",
                Kind::Text,
                "The device grant the login or consent app sends the browser back for.",
            ),
            optional("login_verifier", Kind::Text, "Sent back by the login app."),
            optional(
                "consent_verifier",
                Kind::Text,
                "Sent back by the consent app.",
            ),
        ],
        replies: &[
            reply(
                200,
                Shape::Html,
                "The user code form, or the page saying the device was approved or denied.",
            ),
            reply(302, Shape::Redirect, "On to the consent app."),
            reply(
                400,
                Shape::Html,
                "The flow cannot go on (expired, forged, replayed).",
            ),
            reply(
                401,
                Shape::Html,
                "The login and consent round trip took too long.",
            ),
            reply(403, Shape::Html, "The flow's cookie does not match."),
            FAILED,
            UNAVAILABLE,
        ],
        ..public(
            Method::Get,
            OAUTH2_DEVICE_VERIFY,
            "performOAuth2DeviceVerificationFlow",
            "The device flow's verification page (RFC 8628 §3.3).",
        )
    },
    Route {
        body: Body::Form(model::<DeviceVerifyForm>()),
        replies: &[
            reply(
                200,
                Shape::Html,
                "The confirmation page (client and scopes), or the form again after a wrong code.",
            ),
            reply(302, Shape::Redirect, "Confirmed: on to the login app."),
            reply(400, Shape::Html, "The form is incomplete."),
            reply(
                403,
                Shape::Html,
                "The form's anti-CSRF value does not match its cookie.",
            ),
            reply(
                429,
                Shape::Html,
                "Too many wrong user codes; wait and try again.",
            ),
            FAILED,
            UNAVAILABLE,
        ],
        ..public(
            Method::Post,
            OAUTH2_DEVICE_VERIFY,
            "submitOAuth2DeviceUserCode",
            "The user code form: checks the code, then asks the user to confirm.",
        )
    },
    Route {
        body: Body::Form(model::<RevokeRequestForm>()),
        replies: &[
            reply(
                200,
                Shape::Empty,
                "Revoked, or the token was unknown (RFC 7009 §2.2).",
            ),
            BAD_REQUEST,
            CLIENT_UNAUTHORIZED,
            TOO_MANY_FAILURES,
            FAILED,
            UNAVAILABLE,
        ],
        ..public(
            Method::Post,
            OAUTH2_REVOKE,
            "revokeOAuth2Token",
            "Revokes an access or refresh token (RFC 7009).",
        )
    },
    Route {
        replies: USERINFO_REPLIES,
        ..public(
            Method::Get,
            USERINFO,
            "userinfo",
            "The OpenID Connect userinfo endpoint (OIDC Core §5.3).",
        )
    },
    Route {
        body: Body::Form(model::<UserinfoForm>()),
        replies: USERINFO_REPLIES,
        ..public(
            Method::Post,
            USERINFO,
            "userinfoPost",
            "The userinfo endpoint, the token in a form body or `Authorization`.",
        )
    },
    Route {
        query: END_SESSION_QUERY,
        replies: END_SESSION_REPLIES,
        ..public(
            Method::Get,
            END_SESSION,
            "rpInitiatedLogout",
            "OIDC RP-Initiated Logout: creates a logout request for the logout app, or (with \
             `logout_verifier`) ends the accepted one with front- and back-channel logout.",
        )
    },
    Route {
        query: &[END_SESSION_QUERY[3]],
        body: Body::Form(model::<EndSessionForm>()),
        replies: END_SESSION_REPLIES,
        ..public(
            Method::Post,
            END_SESSION,
            "rpInitiatedLogoutByForm",
            "OIDC RP-Initiated Logout with the parameters in a form body.",
        )
    },
    Route {
        query: &[optional(
            "id_token_hint",
            Kind::Text,
            "An ID token naming the session to end (RP-initiated logout).",
        )],
        replies: &[
            reply(
                302,
                Shape::Redirect,
                "Logged out: to `OAUTH2_LOGOUT_REDIRECT_URL`; or to the error page.",
            ),
            reply(
                200,
                Shape::Html,
                "The page asking the user to confirm the logout.",
            ),
            FAILED,
            UNAVAILABLE,
        ],
        ..public(
            Method::Get,
            LOGIN_SESSION_REVOKE,
            "revokeUserLoginCookie",
            "Logs this browser out (forgets its login session).",
        )
    },
    Route {
        body: Body::Form(model::<LogoutConfirmationForm>()),
        replies: &[
            reply(
                302,
                Shape::Redirect,
                "Logged out, or to the error page when the confirmation is forged.",
            ),
            BAD_REQUEST,
            FAILED,
            UNAVAILABLE,
        ],
        ..public(
            Method::Post,
            LOGIN_SESSION_REVOKE,
            "confirmUserLogout",
            "The logout confirmation page's answer.",
        )
    },
    Route {
        query: &[
            optional("error", Kind::Text, "The error code."),
            optional("error_description", Kind::Text, "What went wrong."),
            optional("error_hint", Kind::Text, "How to fix it."),
            optional(
                "error_debug",
                Kind::Text,
                "Details, when debug sharing is on.",
            ),
        ],
        replies: &[reply(200, Shape::Html, "The error page.")],
        ..public(
            Method::Get,
            "/oauth2/fallbacks/error",
            "fallbackError",
            "Shows an authorization error that cannot be sent to the client.",
        )
    },
    Route {
        replies: &[reply(
            200,
            Shape::Html,
            "Explains that no consent app is configured.",
        )],
        ..public(
            Method::Get,
            "/oauth2/fallbacks/consent",
            "fallbackConsent",
            "Shown when no login or consent app is configured.",
        )
    },
    Route {
        replies: &[reply(200, Shape::Html, "Says the user is logged out.")],
        ..public(
            Method::Get,
            "/oauth2/fallbacks/logout",
            "fallbackLogout",
            "Shown after logout when no logout redirect is configured.",
        )
    },
];
