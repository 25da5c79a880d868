//! Dynamic client registration (RFC 7591) and its management protocol (RFC 7592): the same
//! validation and storage as the admin API's client services, plus the self-service rules of
//! [`crate::client::self_service`] and the registration access token.

use crate::client::secret::SecretHashing;
use crate::client::self_service::{
    check_self_service, generate_registration_token, registration_error, registration_token_matches,
};
use crate::client::{Client, ClientInput};
use crate::config::ClientPolicy;
use crate::error::Error;
use crate::model::{ClientId, Now, Secret};
use crate::service::clients::{self, SectorDocuments};
use crate::store::{ClientStore, RegistrationTokenStore};
use crate::{OAuthError, OAuthErrorKind};

/// What registration needs: the stores, the secret hasher, the sector-document fetcher and
/// the server's client rules (one value, so each use case takes few arguments).
#[derive(Debug, Clone, Copy)]
pub struct Registrar<'a, S, H, D> {
    /// Clients and their registration tokens.
    pub store: &'a S,
    /// Hashes generated client secrets.
    pub hasher: &'a H,
    /// Fetches `sector_identifier_uri` documents.
    pub sectors: &'a D,
    /// The rules every client registration follows.
    pub policy: &'a ClientPolicy,
}

/// A registered or updated client with what this response alone reveals.
#[derive(Debug)]
pub struct Registration {
    /// The client as stored.
    pub client: Client,
    /// Its secret, when this call generated one.
    pub plaintext_secret: Option<Secret<String>>,
    /// The (new) registration access token.
    pub token: Secret<String>,
}

impl<S, H, D> Registrar<'_, S, H, D>
where
    S: ClientStore + RegistrationTokenStore,
    H: SecretHashing,
    D: SectorDocuments,
{
    /// RFC 7591 §3: registers a client with a generated id (and secret, when confidential)
    /// and gives it a registration access token.
    pub async fn register(&self, now: Now, input: ClientInput) -> Result<Registration, Error> {
        check_self_service(&input, &ClientInput::default())?;
        let saved = clients::create(
            self.store,
            self.hasher,
            self.sectors,
            self.policy,
            now,
            input,
        )
        .await
        .map_err(registration_error)?;
        let (token, hash) = generate_registration_token()?;
        let stored = self
            .store
            .replace_registration_token(&saved.client.id, None, &hash)
            .await
            .map_err(|e| Error::from_store("client", e))?;
        if !stored {
            return Err(OAuthError::new(OAuthErrorKind::ServerError)
                .debug("the registered client vanished before its token was stored")
                .into());
        }
        Ok(Registration {
            client: saved.client,
            plaintext_secret: saved.plaintext_secret,
            token,
        })
    }

    /// RFC 7592 §2.1: the client `token` manages.
    pub async fn read(&self, id: &ClientId, token: &str) -> Result<Client, Error> {
        self.authenticate(id, token)
            .await
            .map(|managed| managed.client)
    }

    /// RFC 7592 §2.2: replaces the client's metadata. Fields reserved to the operator keep
    /// their stored values (sending them unchanged is allowed); the secret is kept (or
    /// generated, for a client that becomes confidential); the token is rotated.
    /// `managed` is what [`Self::authenticate`] returned: the caller checks the token before
    /// reading the body, so an unauthenticated caller learns nothing from the body's checks.
    pub async fn update(
        &self,
        now: Now,
        managed: Managed,
        input: ClientInput,
    ) -> Result<Registration, Error> {
        let Managed { client, hash } = managed;
        let id = client.id.clone();
        let baseline = client.into_input();
        check_self_service(&input, &baseline)?;
        let input = ClientInput {
            client_id: baseline.client_id,
            client_secret: None,
            skip_consent: baseline.skip_consent,
            skip_logout_consent: baseline.skip_logout_consent,
            metadata: baseline.metadata,
            access_token_strategy: baseline.access_token_strategy,
            token_lifespans: baseline.token_lifespans,
            audience: baseline.audience,
            ..input
        };
        let saved = clients::update(
            self.store,
            self.hasher,
            self.sectors,
            self.policy,
            now,
            id.clone(),
            input,
        )
        .await
        .map_err(registration_error)?;
        let (token, new_hash) = generate_registration_token()?;
        let rotated = self
            .store
            .replace_registration_token(&id, Some(&hash), &new_hash)
            .await
            .map_err(|e| Error::from_store("client", e))?;
        if !rotated {
            return Err(
                invalid_token("The registration access token was replaced meanwhile.").into(),
            );
        }
        Ok(Registration {
            client: saved.client,
            plaintext_secret: saved.plaintext_secret,
            token,
        })
    }

    /// RFC 7592 §2.3: deletes the client (and with it its token and grants).
    pub async fn delete(&self, id: &ClientId, token: &str) -> Result<(), Error> {
        self.authenticate(id, token).await?;
        clients::delete(self.store, id).await
    }

    /// The client `token` is the registration access token of, with the stored hash. A
    /// wrong token, an unknown client and a client registered through the admin API (it has
    /// no token) are all the same `invalid_token` (RFC 7592 §2.1: 401, not 404).
    pub async fn authenticate(&self, id: &ClientId, token: &str) -> Result<Managed, Error> {
        let stored = self
            .store
            .registration_token_hash(id)
            .await
            .map_err(|e| Error::from_store("client", e))?;
        let Some(hash) = stored.filter(|hash| registration_token_matches(token, hash)) else {
            return Err(invalid_token(
                "The registration access token is not valid for this client.",
            )
            .into());
        };
        let client = self
            .store
            .get_client(id)
            .await
            .map_err(|e| Error::from_store("client", e))?
            .ok_or_else(|| invalid_token("The client does not exist."))?;
        Ok(Managed { client, hash })
    }
}

/// A client whose registration access token was presented and matched: what an update
/// replaces, and the token hash its rotation is conditioned on.
#[derive(Debug)]
pub struct Managed {
    client: Client,
    hash: String,
}

/// RFC 7592 §2: a missing, wrong or stale registration access token.
pub fn invalid_token(hint: &'static str) -> OAuthError {
    OAuthError::new(OAuthErrorKind::InvalidToken).hint(hint)
}
