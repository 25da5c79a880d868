//! Start-up provisioning: the root client of `FORCE_ROOT_CLIENT_CREDENTIALS` (Hydra 0.x),
//! created with every administrative scope and an allow-all policy unless it exists.

use oxydra_core::Error;
use oxydra_core::service::root_client::{self, RootClient};

use crate::state::AppState;

/// `openid offline` plus every `hydra.*` admin scope.
fn root_scope() -> String {
    let mut scopes = oxydra_api::scopes::ALL.to_vec();
    scopes.extend(["openid", "offline"]);
    scopes.join(" ")
}

/// Ensures the configured root client exists; does nothing without one. Safe when several
/// instances start at once (see `oxydra_core::service::root_client`).
pub async fn ensure_root_client(state: &AppState) -> Result<(), Error> {
    let Some(credentials) = &state.config.access_control.root_client else {
        return Ok(());
    };
    let root = RootClient {
        id: credentials.id.clone(),
        secret: credentials.secret.clone(),
        scope: root_scope(),
    };
    let created = root_client::ensure(
        &state.store,
        &state.hasher,
        &state.config.client_policy(),
        &state.policies,
        state.now(),
        &root,
    )
    .await?;
    if created {
        tracing::warn!(
            client_id = %root.id,
            "created the root client of FORCE_ROOT_CLIENT_CREDENTIALS with an allow-all policy; \
             narrow or remove it once the admin API is set up"
        );
    } else {
        tracing::info!(client_id = %root.id, "root client exists; left as it is");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_root_scope_covers_every_admin_scope() {
        let scope = super::root_scope();
        for s in oxydra_api::scopes::ALL {
            assert!(scope.split(' ').any(|x| x == s), "{s}");
        }
        assert!(scope.ends_with("openid offline"));
    }
}
