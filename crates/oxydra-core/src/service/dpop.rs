//! Accepting a DPoP proof (RFC 9449 §4.3) at one of this server's endpoints: the stateless
//! checks of [`crate::oauth2::dpop::verify`], then the server nonce (§8) when configured, then
//! the `jti` recorded so the proof cannot be replayed while it is fresh (§11.1).

use std::time::Duration;

use crate::error::Error;
use crate::model::{ClientId, Now};
use crate::oauth2::dpop::nonce::Nonces;
use crate::oauth2::dpop::{self, Expected, FUTURE_LEEWAY, Proof};
use crate::service::provider::Provider;
use crate::store::TokenStore;
use crate::{OAuthError, OAuthErrorKind};

/// The namespace of proof `jti`s in the replay table (which client-assertion `jti`s share;
/// no client can be registered under a URN of the IETF's).
pub const JTI_NAMESPACE: &str = "urn:ietf:params:oauth:dpop";

/// How DPoP proofs are accepted (`OXYDRA_DPOP*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DpopRules {
    /// Proofs are read and tokens bound (`OXYDRA_DPOP`); off, the `DPoP` header is ignored
    /// and tokens are bearer tokens, as at a server that does not know DPoP.
    pub enabled: bool,
    /// How old a proof's `iat` may be (`OXYDRA_DPOP_PROOF_MAX_AGE`).
    pub proof_max_age: Duration,
    /// Proofs must carry a server nonce of this lifespan (`OXYDRA_DPOP_NONCE_LIFESPAN` when
    /// `OXYDRA_DPOP_NONCE=true`).
    pub nonce_lifespan: Option<Duration>,
}

impl Default for DpopRules {
    fn default() -> Self {
        Self {
            enabled: true,
            proof_max_age: Duration::from_secs(60),
            nonce_lifespan: None,
        }
    }
}

/// The request a proof came with.
#[derive(Debug, Clone, Copy)]
pub struct ProofRequest<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// The endpoint's public URL.
    pub uri: &'a url::Url,
    /// The access token sent with the proof, at a protected resource.
    pub access_token: Option<&'a str>,
}

impl Provider {
    /// The nonce to send in `DPoP-Nonce` at `now`, when nonces are required.
    pub fn dpop_nonce(&self, now: Now) -> Option<String> {
        let lifespan = self.dpop.nonce_lifespan?;
        Some(Nonces::new(&self.token_keys, lifespan).current(now))
    }

    /// Accepts `proof` for `request`: every check of RFC 9449 §4.3, the nonce when required
    /// (`use_dpop_nonce` without a valid one), and its `jti` remembered while the proof is
    /// fresh (a second use is `invalid_dpop_proof`).
    pub async fn accept_dpop_proof<S: TokenStore>(
        &self,
        store: &S,
        proof: &str,
        request: ProofRequest<'_>,
        now: Now,
    ) -> Result<Proof, Error> {
        let rules = &self.dpop;
        let expected = Expected {
            method: request.method,
            uri: request.uri,
            access_token: request.access_token,
            max_age: rules.proof_max_age,
        };
        let proof = dpop::verify(proof, expected, now)?;
        if let Some(lifespan) = rules.nonce_lifespan {
            let nonces = Nonces::new(&self.token_keys, lifespan);
            match proof.nonce.as_deref() {
                Some(nonce) if nonces.accepts(nonce, now) => {}
                Some(_) => return Err(use_nonce("The DPoP proof's nonce is unknown or stale.")),
                None => return Err(use_nonce("The DPoP proof must carry a server nonce.")),
            }
        }
        let namespace = ClientId::parse(JTI_NAMESPACE)
            .map_err(|e| OAuthError::new(OAuthErrorKind::ServerError).debug(e))?;
        // Remembered until the proof could no longer pass the iat check anyway.
        let expires_at = proof.issued_at.plus(rules.proof_max_age + FUTURE_LEEWAY);
        let fresh = store
            .claim_jti(
                &namespace,
                &jti_key(&proof.jkt, &proof.jti),
                expires_at,
                now,
            )
            .await
            .map_err(|e| Error::from_store("DPoP proof", e))?;
        if !fresh {
            return Err(dpop::invalid(
                "The DPoP proof's jti has been used already: make a new proof for every request.",
            )
            .into());
        }
        Ok(proof)
    }
}

fn use_nonce(hint: &'static str) -> Error {
    OAuthError::new(OAuthErrorKind::UseDpopNonce)
        .hint(hint)
        .into()
}

/// `dpop:` and the hash of the key thumbprint and the `jti`: unique per key, so two clients'
/// `jti`s never collide.
fn jti_key(jkt: &str, jti: &str) -> String {
    super::jwt_bearer::hashed_jti_key("dpop:", jkt, jti)
}
