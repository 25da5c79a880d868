//! Conversion between the wire login/consent models (`oxydra_api::flow_model`) and the domain
//! flow types.

use oxydra_api::{
    AcceptConsentRequest, AcceptLoginRequest, AcceptOAuth2LoginRequest, ConsentRequest,
    ConsentRequestSession, LoginRequest, OpenIDConnectContext, PreviousConsentSession,
    RejectRequest,
};
use oxydra_core::flow::answer::{ConsentAcceptance, LoginAcceptance};
use oxydra_core::flow::{self, ConsentOutcome, OidcContext, Rejection};
use oxydra_core::service::flow_admin::WithClient;

use oxydra_api::OAuth2Client;
use oxydra_core::client::Client;

use super::client_wire::to_wire;
use super::client_wire_v2::to_wire_v2;

/// How a route generation writes the client a login or consent request embeds: the 1.x shape,
/// or Hydra 2.x's (which carries `skip_consent` to the consent app).
pub type ClientShape = fn(Client) -> OAuth2Client;

/// The 1.x generations' embedded client.
pub fn v1_client(client: Client) -> OAuth2Client {
    to_wire(client, None)
}

/// The Hydra 2.x embedded client.
pub fn v2_client(client: Client) -> OAuth2Client {
    to_wire_v2(client, None)
}

fn oidc_context(ctx: OidcContext) -> OpenIDConnectContext {
    OpenIDConnectContext {
        acr_values: ctx.acr_values,
        display: ctx.display,
        id_token_hint_claims: ctx.id_token_hint_claims,
        login_hint: ctx.login_hint,
        ui_locales: ctx.ui_locales,
        claims: ctx.claims.and_then(|c| match serde_json::to_value(c) {
            Ok(serde_json::Value::Object(map)) => Some(map),
            _ => None,
        }),
    }
}

/// A login request and its client → `loginRequest` (client without its secret).
pub fn login_to_wire(view: WithClient<flow::LoginRequest>, shape: ClientShape) -> LoginRequest {
    let WithClient { request, client } = view;
    LoginRequest {
        challenge: request.challenge.as_str().to_owned(),
        requested_scope: request.requested_scope,
        skip: request.skip,
        subject: request.subject,
        oidc_context: oidc_context(request.oidc_context),
        client: shape(client),
        request_url: request.request_url,
        session_id: request.login_session_id,
    }
}

/// A consent request and its client → `consentRequest` (client without its secret).
pub fn consent_to_wire(
    view: WithClient<flow::ConsentRequest>,
    shape: ClientShape,
) -> ConsentRequest {
    let WithClient { request, client } = view;
    ConsentRequest {
        challenge: request.challenge.as_str().to_owned(),
        requested_scope: request.requested_scope,
        skip: request.skip,
        subject: request.subject,
        oidc_context: oidc_context(request.oidc_context),
        client: shape(client),
        request_url: request.request_url,
        login_challenge: Some(request.login_challenge.as_str().to_owned()),
        login_session_id: request.login_session_id,
        context: request.context,
        amr: request.amr,
    }
}

/// An accepted consent and its client → `PreviousConsentSession`; `None` for a consent that
/// was not accepted (the store lists only accepted ones).
pub fn previous_session(
    mut view: WithClient<flow::ConsentRequest>,
    shape: ClientShape,
) -> Option<PreviousConsentSession> {
    let Some(ConsentOutcome::Accepted {
        grant_scope,
        remember,
        remember_for,
        access_extra,
        id_token_extra,
    }) = view.request.outcome.take()
    else {
        return None;
    };
    Some(PreviousConsentSession {
        consent_request: consent_to_wire(view, shape),
        grant_scope,
        remember,
        remember_for,
        session: ConsentRequestSession {
            access_token: access_extra,
            id_token: id_token_extra,
        },
    })
}

/// `acceptLoginRequest` body (1.0.0-beta) → the domain acceptance (checked by the domain).
pub fn login_acceptance(body: AcceptLoginRequest) -> LoginAcceptance {
    LoginAcceptance {
        subject: body.subject,
        remember: body.remember,
        remember_for: body.remember_for,
        acr: body.acr,
        force_subject_identifier: body.force_subject_identifier,
        ..LoginAcceptance::default()
    }
}

/// `acceptOAuth2LoginRequest` body (Hydra 1.x query form, 2.x) → the domain acceptance.
pub fn login_acceptance_v1x(body: AcceptOAuth2LoginRequest) -> LoginAcceptance {
    LoginAcceptance {
        subject: body.subject,
        remember: body.remember,
        remember_for: body.remember_for,
        acr: body.acr,
        force_subject_identifier: body.force_subject_identifier,
        amr: body.amr,
        context: body.context,
        extend_session_lifespan: body.extend_session_lifespan,
        identity_provider_session_id: body.identity_provider_session_id,
    }
}

/// `acceptConsentRequest` body → the domain acceptance (checked by the domain).
pub fn consent_acceptance(body: AcceptConsentRequest) -> ConsentAcceptance {
    ConsentAcceptance {
        grant_scope: body.grant_scope,
        remember: body.remember,
        remember_for: body.remember_for,
        access_extra: body.session.access_token,
        id_token_extra: body.session.id_token,
    }
}

/// `rejectRequest` body → the domain rejection. A `status_code` that is no `u16` becomes
/// `u16::MAX`, which the domain refuses like any other status outside 400–599.
pub fn rejection(body: RejectRequest) -> Rejection {
    Rejection {
        error: body.error,
        error_description: body.error_description,
        error_hint: body.error_hint,
        error_debug: body.error_debug,
        status_code: u16::try_from(body.status_code).unwrap_or(u16::MAX),
    }
}
