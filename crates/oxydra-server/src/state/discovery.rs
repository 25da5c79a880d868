//! The OIDC Discovery 1.0 §4 document in Hydra's wire shape, built once from the configuration
//! by `oxydra_core::oidc::discovery` when the state is built; `crate::public::discovery` serves
//! the bytes.

use axum::body::Bytes;
use oxydra_api::WellKnown;
use oxydra_api::paths::{
    END_SESSION, OAUTH2_AUTH, OAUTH2_DEVICE_AUTH, OAUTH2_PAR, OAUTH2_REGISTER, OAUTH2_REVOKE,
    OAUTH2_TOKEN, USERINFO, WELL_KNOWN_JWKS,
};
use oxydra_core::Error;
use oxydra_core::jwk::JwkAlgorithm;
use oxydra_core::oidc::claims::CLAIM_SCOPES;
use oxydra_core::oidc::discovery::{
    self, ConsentAppClaims, Discovery, DiscoverySettings, EndpointPaths,
};

use crate::config::Config;

/// Where each advertised endpoint lives. The `end_session_endpoint` is
/// `/oauth2/sessions/logout` (RP-Initiated Logout 1.0, with front- and back-channel logout),
/// not the older `/oauth2/auth/sessions/login/revoke`. The `registration_endpoint` is
/// `/oauth2/register`, advertised only while dynamic client registration is on (Hydra
/// advertises its admin `/clients` otherwise, which the public port does not serve).
const PATHS: EndpointPaths = EndpointPaths {
    authorization: OAUTH2_AUTH,
    token: OAUTH2_TOKEN,
    jwks: WELL_KNOWN_JWKS,
    userinfo: USERINFO,
    revocation: OAUTH2_REVOKE,
    registration: None,
    end_session: Some(END_SESSION),
    device_authorization: None,
    pushed_authorization_request: None,
};

/// The serialized document for `config`, whose ID-token set keeps a signing key of each of
/// `id_token_algs`; computed once, when the state is built.
pub(crate) fn build(config: &Config, id_token_algs: &[JwkAlgorithm]) -> Result<Bytes, Error> {
    let settings = settings(config, id_token_algs);
    let document = wire(discovery::document(&settings)?);
    serde_json::to_vec(&document)
        .map(Bytes::from)
        .map_err(|e| Error::invalid("discovery", e.to_string()))
}

/// What the document depends on, read from the configuration.
fn settings(config: &Config, id_token_algs: &[JwkAlgorithm]) -> DiscoverySettings {
    DiscoverySettings {
        issuer: config.issuer.clone(),
        paths: EndpointPaths {
            device_authorization: config.device_flow_served().then_some(OAUTH2_DEVICE_AUTH),
            pushed_authorization_request: config.par.enabled.then_some(OAUTH2_PAR),
            registration: config.dynamic_registration.then_some(OAUTH2_REGISTER),
            ..PATHS
        },
        userinfo_endpoint: config.oidc.userinfo_endpoint.clone(),
        subject_types: config.oidc.subject_types.clone(),
        claims: config.oidc.claims_supported.clone(),
        scopes: config.oidc.scopes_supported.clone(),
        id_token_algs: id_token_algs.iter().map(|a| a.name().to_owned()).collect(),
        consent_app: demo_claims(config),
        require_pushed_authorization_requests: config.par.required,
        jwt_bearer_grant: config.jwt_bearer.enabled,
        dpop: config.dpop.enabled,
    }
}

/// With the demo app on, the §5.4 scopes it maps to claims and every claim its users carry.
fn demo_claims(config: &Config) -> ConsentAppClaims {
    if !config.demo.enabled {
        return ConsentAppClaims::default();
    }
    let mut claims: Vec<String> = Vec::new();
    for name in config.demo.users.iter().flat_map(|u| u.claims.keys()) {
        if !claims.contains(name) {
            claims.push(name.clone());
        }
    }
    ConsentAppClaims {
        scopes: CLAIM_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        claims,
    }
}

/// The domain's document in Hydra's `wellKnown` shape.
fn wire(d: Discovery) -> WellKnown {
    WellKnown {
        issuer: d.issuer,
        authorization_endpoint: d.authorization_endpoint,
        token_endpoint: d.token_endpoint,
        jwks_uri: d.jwks_uri,
        userinfo_endpoint: d.userinfo_endpoint,
        revocation_endpoint: d.revocation_endpoint,
        registration_endpoint: d.registration_endpoint,
        end_session_endpoint: d.end_session_endpoint,
        device_authorization_endpoint: d.device_authorization_endpoint,
        pushed_authorization_request_endpoint: d.pushed_authorization_request_endpoint,
        require_pushed_authorization_requests: d.require_pushed_authorization_requests,
        dpop_signing_alg_values_supported: d.dpop_signing_alg_values_supported,
        subject_types_supported: d.subject_types_supported,
        response_types_supported: d.response_types_supported,
        response_modes_supported: d.response_modes_supported,
        grant_types_supported: d.grant_types_supported,
        id_token_signing_alg_values_supported: d.id_token_signing_alg_values_supported,
        userinfo_signing_alg_values_supported: d.userinfo_signing_alg_values_supported,
        token_endpoint_auth_methods_supported: d.token_endpoint_auth_methods_supported,
        token_endpoint_auth_signing_alg_values_supported: d
            .token_endpoint_auth_signing_alg_values_supported,
        code_challenge_methods_supported: d.code_challenge_methods_supported,
        claims_supported: d.claims_supported,
        scopes_supported: d.scopes_supported,
        claims_locales_supported: None,
        ui_locales_supported: None,
        claims_parameter_supported: d.claims_parameter_supported,
        request_parameter_supported: d.request_parameter_supported,
        request_uri_parameter_supported: d.request_uri_parameter_supported,
        require_request_uri_registration: d.require_request_uri_registration,
        request_object_signing_alg_values_supported: d.request_object_signing_alg_values_supported,
        frontchannel_logout_supported: d.frontchannel_logout_supported,
        frontchannel_logout_session_supported: d.frontchannel_logout_session_supported,
        backchannel_logout_supported: d.backchannel_logout_supported,
        backchannel_logout_session_supported: d.backchannel_logout_session_supported,
    }
}
