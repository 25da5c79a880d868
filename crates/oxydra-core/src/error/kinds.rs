//! The OAuth 2.0 error kinds, written once: one row per kind (doc, wire code, HTTP status,
//! default description), from which the enum, [`OAuthErrorKind::ALL`] and every lookup are
//! generated, so a kind cannot be added to one of them and forgotten in another.

/// Generates [`OAuthErrorKind`] and its tables from one list of rows.
macro_rules! error_kinds {
    ($( $(#[doc = $doc:literal])* $kind:ident = $code:literal, $status:literal, $description:literal; )*) => {
        /// The error codes Oxydra emits, with the HTTP status each belongs to
        /// (`shared/spec/api.md` §5.2).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum OAuthErrorKind {
            $( $(#[doc = $doc])* $kind, )*
        }

        impl OAuthErrorKind {
            /// Every kind, for looking one up by its wire code.
            pub const ALL: [OAuthErrorKind; [$(stringify!($kind)),*].len()] = [$(Self::$kind),*];

            /// The wire `error` code.
            pub fn code(self) -> &'static str {
                match self { $(Self::$kind => $code,)* }
            }

            /// The HTTP status this code belongs to.
            pub fn status(self) -> u16 {
                match self { $(Self::$kind => $status,)* }
            }

            /// The standard description used when a caller supplies none.
            pub fn default_description(self) -> &'static str {
                match self { $(Self::$kind => $description,)* }
            }
        }
    };
}

error_kinds! {
    /// RFC 6749: malformed or invalid request.
    InvalidRequest = "invalid_request", 400,
        "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.";
    /// RFC 6749: client authentication failed.
    InvalidClient = "invalid_client", 401,
        "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).";
    /// RFC 6749: grant invalid, expired, revoked or issued to another client.
    InvalidGrant = "invalid_grant", 400,
        "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";
    /// RFC 6749: client may not use this grant or response type.
    UnauthorizedClient = "unauthorized_client", 400,
        "The client is not authorized to request a token using this method.";
    /// RFC 6749: grant type not supported.
    UnsupportedGrantType = "unsupported_grant_type", 400,
        "The authorization grant type is not supported by the authorization server.";
    /// RFC 6749: response type not supported.
    UnsupportedResponseType = "unsupported_response_type", 400,
        "The authorization server does not support obtaining a token using this method.";
    /// RFC 6749: requested scope invalid or not allowed.
    InvalidScope = "invalid_scope", 400,
        "The requested scope is invalid, unknown, or malformed.";
    /// RFC 6749: resource owner or server denied the request.
    AccessDenied = "access_denied", 403,
        "The resource owner or authorization server denied the request.";
    /// RFC 6749: unexpected condition.
    ServerError = "server_error", 500,
        "The authorization server encountered an unexpected condition that prevented it from fulfilling the request.";
    /// RFC 6749: temporarily overloaded or under maintenance (database down).
    TemporarilyUnavailable = "temporarily_unavailable", 503,
        "The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server.";
    /// Hydra: `state` missing or too short.
    InvalidState = "invalid_state", 400,
        "The state is missing or does not have enough characters and is therefore considered too weak.";
    /// Hydra: a value (nonce, state, verifier) has too little entropy.
    InsufficientEntropy = "insufficient_entropy", 400,
        "The request used a security parameter (e.g., anti-replay, anti-csrf) with insufficient entropy.";
    /// RFC 6750: token malformed or invalid.
    InvalidToken = "invalid_token", 400,
        "The token is malformed or not valid.";
    /// RFC 6750 §3.1: the token lacks a scope the resource needs (userinfo without `openid`).
    InsufficientScope = "insufficient_scope", 403,
        "The request requires higher privileges than provided by the access token.";
    /// Hydra: token expired.
    TokenExpired = "token_expired", 401,
        "The token is expired.";
    /// Hydra: token inactive.
    TokenInactive = "token_inactive", 401,
        "The token is inactive.";
    /// Hydra: request not authorized (expired flow, bad bearer token).
    RequestUnauthorized = "request_unauthorized", 401,
        "The request could not be authorized.";
    /// Hydra: request forbidden (CSRF mismatch, policy denial).
    RequestForbidden = "request_forbidden", 403,
        "The request is not allowed.";
    /// Hydra: scope not granted to this token.
    ScopeNotGranted = "scope_not_granted", 403,
        "The token was not granted the requested scope.";
    /// OIDC: end-user must log in.
    LoginRequired = "login_required", 400,
        "The Authorization Server requires End-User authentication.";
    /// OIDC: end-user interaction required.
    InteractionRequired = "interaction_required", 400,
        "The Authorization Server requires End-User interaction of some form to proceed.";
    /// OIDC: end-user consent required.
    ConsentRequired = "consent_required", 400,
        "The Authorization Server requires End-User consent.";
    /// OIDC: `registration` parameter not supported.
    RegistrationNotSupported = "registration_not_supported", 400,
        "The OP does not support use of the registration parameter.";
    /// OIDC: `request` parameter not supported.
    RequestNotSupported = "request_not_supported", 400,
        "The OP does not support use of the request parameter.";
    /// OIDC: `request_uri` parameter not supported.
    RequestUriNotSupported = "request_uri_not_supported", 400,
        "The OP does not support use of the request_uri parameter.";
    /// OIDC: request object invalid.
    InvalidRequestObject = "invalid_request_object", 400,
        "The request parameter contains an invalid Request Object.";
    /// OIDC: `request_uri` invalid.
    InvalidRequestUri = "invalid_request_uri", 400,
        "The request_uri in the Authorization Request returns an error or contains invalid data.";
    /// RFC 8707 §2 / RFC 8693 §2.2.2: an `audience` or `resource` the server will not issue
    /// a token for.
    InvalidTarget = "invalid_target", 400,
        "The requested resource or audience is invalid, unknown or not allowed for this client.";
    /// RFC 7591: client metadata invalid.
    InvalidClientMetadata = "invalid_client_metadata", 400,
        "The value of one of the Client Metadata fields is invalid.";
    /// RFC 7591 §3.2.2: a redirect URI in a registration request is invalid.
    InvalidRedirectUri = "invalid_redirect_uri", 400,
        "The value of one or more redirection URIs is invalid.";
    /// Resource not found (admin API).
    NotFound = "not_found", 404,
        "Unable to locate the requested resource.";
    /// Resource already exists (admin API).
    Conflict = "conflict", 409,
        "Unable to insert or update resource because a resource with that value exists already.";
    /// Request body too large.
    PayloadTooLarge = "payload_too_large", 413,
        "The request body is too large.";
    /// Method not allowed on this route.
    MethodNotAllowed = "method_not_allowed", 405,
        "The HTTP method is not allowed on this resource.";
    /// Plain HTTP request refused by the TLS-termination guard (Hydra answers 502).
    InsecureTransport = "insecure_transport", 502,
        "This server only accepts HTTPS requests (or requests from a trusted TLS-terminating proxy).";
    /// Hydra 0.10: the consent app rejected the legacy consent request.
    RejectedConsentRequest = "rejected_consent_request", 401,
        "The consent request was rejected.";
    /// RFC 8628 §3.5: the user has not yet finished at the verification page; poll again.
    AuthorizationPending = "authorization_pending", 400,
        "The authorization request is still pending as the end user hasn't yet completed the user-interaction steps.";
    /// RFC 8628 §3.5: polling too fast; the interval grows by 5 seconds.
    SlowDown = "slow_down", 400,
        "The authorization request is still pending and polling should continue, but the interval must be increased by 5 seconds for this and all subsequent requests.";
    /// RFC 8628 §3.5: the device code expired before it was authorized and redeemed.
    ExpiredToken = "expired_token", 400,
        "The device_code has expired, and the device authorization session has concluded.";
    /// RFC 9449 §5, §7.1: the DPoP proof JWT is missing a claim, malformed, signed wrongly,
    /// stale, replayed or for another request.
    InvalidDpopProof = "invalid_dpop_proof", 400,
        "The DPoP proof is invalid.";
    /// RFC 9449 §8: the proof must carry the nonce the server gives in the `DPoP-Nonce` header.
    UseDpopNonce = "use_dpop_nonce", 400,
        "The DPoP proof must carry the nonce given in the DPoP-Nonce response header.";
    /// RFC 6585 §4: too many failed client authentications; retry after the budget refills.
    TooManyRequests = "too_many_requests", 429,
        "Too many failed authentication attempts; retry after the time given in Retry-After.";
}
