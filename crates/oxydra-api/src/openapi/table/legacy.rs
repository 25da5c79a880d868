//! Routes of the older generations and of both ports: health and version (1.0.0-beta and
//! 1.0.0-alpha1), 1.0.0-alpha1's policies, 0.10's consent requests by id
//! (`shared/spec/api.md` §3, §4), and Oxydra's demo login app.

use super::common::{
    CONFLICT, GUARD_FORBIDDEN, GUARD_UNAUTHORIZED, NOT_FOUND, PAGING, admin, route,
};
use crate::openapi::forms::DemoForm;
use crate::openapi::route::{
    Body, Generation, Method, Ports, Reply, Route, Shape, error, json, model, reply,
};
use crate::paths::{
    HEALTH, HEALTH_ALIVE, HEALTH_READY, HEALTH_STATS, HEALTH_STATUS, LEGACY_CONSENT_REQUEST,
    LEGACY_CONSENT_REQUEST_ACCEPT, LEGACY_CONSENT_REQUEST_REJECT, POLICIES, POLICY, VERSION,
};
use crate::{
    ConsentRequestAcceptance, ConsentRequestRejection, HealthNotReadyStatus, HealthStats,
    HealthStatus, OAuth2ConsentRequest, Policy, Version,
};

/// Where the demo login app's pages are (served with `--demo` only).
const DEMO_LOGIN: &str = "/demo/login";
/// Where the demo consent app's page is (served with `--demo` only).
const DEMO_CONSENT: &str = "/demo/consent";
/// Where the demo logout app's page is (served with `--demo` only).
const DEMO_LOGOUT: &str = "/demo/logout";

const fn both(
    generation: Generation,
    path: &'static str,
    id: &'static str,
    summary: &'static str,
) -> Route {
    route(Ports::Both, generation, Method::Get, path, id, summary)
}

const fn demo(
    method: Method,
    path: &'static str,
    id: &'static str,
    summary: &'static str,
) -> Route {
    route(Ports::Public, Generation::Oxydra, method, path, id, summary)
}

const HEALTHY: Reply = json(200, model::<HealthStatus>(), "`{\"status\":\"ok\"}`.");
const POLICY_BODY: Body = Body::Json {
    model: model::<Policy>(),
    required: true,
};
const DEMO_PAGE: &[Reply] = &[
    reply(200, Shape::Html, "The page."),
    reply(
        302,
        Shape::Redirect,
        "Answered: back to the authorization or end-session endpoint.",
    ),
    error(400, "The form lacks its challenge."),
    error(404, "No such request."),
    error(409, "The request was answered already."),
    error(502, "The admin API did not answer as expected."),
    error(503, "The admin API could not be reached."),
];

/// Health, version, policies, legacy consent and demo routes.
pub(super) const ROUTES: &[Route] = &[
    Route {
        replies: &[HEALTHY],
        ..both(
            Generation::V1Beta,
            HEALTH_ALIVE,
            "isInstanceAlive",
            "Liveness: the process answers.",
        )
    },
    Route {
        replies: &[
            HEALTHY,
            json(
                503,
                model::<HealthNotReadyStatus>(),
                "The database did not answer in time.",
            ),
        ],
        ..both(
            Generation::V1Beta,
            HEALTH_READY,
            "isInstanceReady",
            "Readiness: the database answers.",
        )
    },
    Route {
        replies: &[reply(308, Shape::Redirect, "To `/health/alive`.")],
        ..both(
            Generation::V1Beta,
            HEALTH_STATUS,
            "getHealthStatusLegacy",
            "Old name of `/health/alive`.",
        )
    },
    Route {
        replies: &[json(200, model::<Version>(), "The build version.")],
        ..both(
            Generation::V1Beta,
            VERSION,
            "getVersion",
            "The build version.",
        )
    },
    Route {
        replies: &[HEALTHY],
        ..both(
            Generation::V1Alpha1,
            HEALTH,
            "getHealthStatus",
            "0.x liveness.",
        )
    },
    Route {
        replies: &[
            json(
                200,
                model::<HealthStats>(),
                "Request counters, latencies and memory.",
            ),
            GUARD_UNAUTHORIZED,
            GUARD_FORBIDDEN,
        ],
        ..both(
            Generation::V1Alpha1,
            HEALTH_STATS,
            "getInstanceStatistics",
            "This instance's request statistics.",
        )
    },
    Route {
        query: PAGING,
        replies: &[reply(
            200,
            Shape::JsonList(model::<Policy>()),
            "One page of policies.",
        )],
        ..admin(
            Generation::V1Alpha1,
            Method::Get,
            POLICIES,
            "listPolicies",
            "Lists the access-control policies.",
        )
    },
    Route {
        body: POLICY_BODY,
        replies: &[
            json(201, model::<Policy>(), "Created; `Location` names it."),
            CONFLICT,
        ],
        ..admin(
            Generation::V1Alpha1,
            Method::Post,
            POLICIES,
            "createPolicy",
            "Creates a policy (an id is generated when empty).",
        )
    },
    Route {
        replies: &[json(200, model::<Policy>(), "The policy."), NOT_FOUND],
        ..admin(
            Generation::V1Alpha1,
            Method::Get,
            POLICY,
            "getPolicy",
            "Reads one policy.",
        )
    },
    Route {
        body: POLICY_BODY,
        replies: &[
            json(200, model::<Policy>(), "The updated policy."),
            NOT_FOUND,
        ],
        ..admin(
            Generation::V1Alpha1,
            Method::Put,
            POLICY,
            "updatePolicy",
            "Replaces one policy (a body id must equal the path's).",
        )
    },
    Route {
        replies: &[reply(204, Shape::Empty, "Deleted."), NOT_FOUND],
        ..admin(
            Generation::V1Alpha1,
            Method::Delete,
            POLICY,
            "deletePolicy",
            "Deletes one policy.",
        )
    },
    Route {
        replies: &[
            json(200, model::<OAuth2ConsentRequest>(), "The consent request."),
            NOT_FOUND,
        ],
        ..admin(
            Generation::V010,
            Method::Get,
            LEGACY_CONSENT_REQUEST,
            "getOAuth2ConsentRequest",
            "Reads a 0.10 consent request.",
        )
    },
    Route {
        body: Body::Json {
            model: model::<ConsentRequestAcceptance>(),
            required: true,
        },
        replies: &[reply(204, Shape::Empty, "Accepted."), NOT_FOUND, CONFLICT],
        ..admin(
            Generation::V010,
            Method::Patch,
            LEGACY_CONSENT_REQUEST_ACCEPT,
            "acceptOAuth2ConsentRequest",
            "Accepts a 0.10 consent request.",
        )
    },
    Route {
        body: Body::Json {
            model: model::<ConsentRequestRejection>(),
            required: true,
        },
        replies: &[reply(204, Shape::Empty, "Rejected."), NOT_FOUND, CONFLICT],
        ..admin(
            Generation::V010,
            Method::Patch,
            LEGACY_CONSENT_REQUEST_REJECT,
            "rejectOAuth2ConsentRequest",
            "Rejects a 0.10 consent request.",
        )
    },
    Route {
        replies: DEMO_PAGE,
        ..demo(
            Method::Get,
            DEMO_LOGIN,
            "demoLoginPage",
            "The demo login page (`--demo`).",
        )
    },
    Route {
        body: Body::Form(model::<DemoForm>()),
        replies: DEMO_PAGE,
        ..demo(
            Method::Post,
            DEMO_LOGIN,
            "demoLogin",
            "Submits the demo login page.",
        )
    },
    Route {
        replies: DEMO_PAGE,
        ..demo(
            Method::Get,
            DEMO_CONSENT,
            "demoConsentPage",
            "The demo consent page (`--demo`).",
        )
    },
    Route {
        body: Body::Form(model::<DemoForm>()),
        replies: DEMO_PAGE,
        ..demo(
            Method::Post,
            DEMO_CONSENT,
            "demoConsent",
            "Submits the demo consent page.",
        )
    },
    Route {
        replies: DEMO_PAGE,
        ..demo(
            Method::Get,
            DEMO_LOGOUT,
            "demoLogoutPage",
            "The demo logout confirmation page (`--demo`).",
        )
    },
    Route {
        body: Body::Form(model::<DemoForm>()),
        replies: DEMO_PAGE,
        ..demo(
            Method::Post,
            DEMO_LOGOUT,
            "demoLogout",
            "Submits the demo logout page: `accept` logs out, anything else stays logged in.",
        )
    },
];
