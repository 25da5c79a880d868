//! `FORCE_ROOT_CLIENT_CREDENTIALS`: at start-up, make sure an administrative client exists that
//! can manage everything once the admin API is guarded by policies (Hydra 0.x created such a
//! "root" client with an allow-all policy on a new install).
//!
//! Idempotent rather than one cross-aggregate transaction, so two instances starting together
//! are safe: the policy (with an id derived from the client id) is created first and a
//! conflict means it exists; then the client, where a conflict means another instance won.
//! A crash between the two leaves a policy for a client that does not exist yet, and the next
//! start creates the client. Nothing is touched when the client exists already, so an operator
//! who narrowed or removed the policy keeps that decision.

use crate::client::ClientInput;
use crate::client::secret::SecretHashing;
use crate::config::ClientPolicy;
use crate::error::Error;
use crate::model::{ClientId, Now, Secret};
use crate::policy::{MAX_ID_LEN, PolicyInput, literal_pattern};
use crate::service::policy_cache::PolicyCache;
use crate::service::{clients, policies};
use crate::store::{ClientStore, PolicyStore};

/// The root client to ensure.
#[derive(Debug, Clone)]
pub struct RootClient {
    /// Its id.
    pub id: ClientId,
    /// Its secret (stored hashed).
    pub secret: Secret<String>,
    /// Its scope: every administrative scope (space-separated).
    pub scope: String,
}

/// The id of the allow-all policy of root client `id`.
pub fn root_policy_id(id: &ClientId) -> String {
    let readable = format!("root-client:{id}");
    if readable.len() <= MAX_ID_LEN {
        return readable;
    }
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, id.as_str().as_bytes());
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("root-client:sha256:{hex}")
}

/// Creates the root client and its allow-all policy unless a client with its id exists.
/// Returns whether this call created the client.
pub async fn ensure<S: ClientStore + PolicyStore, H: SecretHashing>(
    store: &S,
    hasher: &H,
    client_policy: &ClientPolicy,
    cache: &PolicyCache,
    now: Now,
    root: &RootClient,
) -> Result<bool, Error> {
    let existing = store
        .get_client(&root.id)
        .await
        .map_err(|e| Error::from_store("client", e))?;
    if existing.is_some() {
        return Ok(false);
    }
    let policy = PolicyInput {
        id: root_policy_id(&root.id),
        description: "Created by FORCE_ROOT_CLIENT_CREDENTIALS: allows the root client everything."
            .to_owned(),
        subjects: vec![literal_pattern(root.id.as_str())],
        effect: "allow".to_owned(),
        resources: vec!["<.*>".to_owned()],
        actions: vec!["<.*>".to_owned()],
        conditions: Vec::new(),
    };
    match policies::create(store, cache, policy).await {
        Ok(_) | Err(Error::Conflict { .. }) => {}
        Err(e) => return Err(e),
    }
    let input = ClientInput {
        client_id: root.id.as_str().to_owned(),
        client_name: "Oxydra root client (FORCE_ROOT_CLIENT_CREDENTIALS)".to_owned(),
        client_secret: Some(root.secret.clone()),
        grant_types: vec!["client_credentials".to_owned()],
        scope: root.scope.clone(),
        token_endpoint_auth_method: "client_secret_basic".to_owned(),
        ..ClientInput::default()
    };
    // The root client names no sector document, so there is nothing remote to check.
    let valid = input.validate(None, client_policy, now)?;
    match clients::register(store, hasher, valid).await {
        Ok(_) => Ok(true),
        Err(Error::Conflict { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}
