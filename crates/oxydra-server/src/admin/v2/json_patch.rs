//! RFC 6902 JSON Patch applied to a client in its Hydra 2.x JSON shape
//! (`PATCH /admin/clients/{id}`): the patched document must still be a client, and its
//! `client_id` cannot change.

use oxydra_api::{JsonPatchOperation, OAuth2Client};

use crate::error::ApiError;

/// Applies `ops` to `current` in order (all or nothing, RFC 6902 §5). A malformed
/// operation, a failed `test`, a path that does not exist, a result that is no client, or any
/// operation that writes `client_id` is 400 `invalid_request`.
pub fn apply_to_client(
    current: OAuth2Client,
    ops: &[JsonPatchOperation],
) -> Result<OAuth2Client, ApiError> {
    if let Some(op) = ops.iter().find(|op| writes_client_id(op)) {
        return Err(ApiError::invalid_request(format!(
            "The patch operation {:?} on {:?} would change the client_id, which cannot be changed.",
            op.op, op.path
        )));
    }
    let id = current.client_id.clone();
    let mut doc = serde_json::to_value(current)
        .map_err(|e| ApiError::invalid_request(format!("The client is not JSON: {e}")))?;
    let ops_json = serde_json::to_value(ops)
        .map_err(|e| ApiError::invalid_request(format!("The patch is not JSON: {e}")))?;
    let patch: json_patch::Patch = serde_json::from_value(ops_json).map_err(|e| {
        ApiError::invalid_request(format!("The body is not an RFC 6902 JSON Patch: {e}"))
    })?;
    json_patch::patch(&mut doc, &patch).map_err(|e| {
        ApiError::invalid_request(format!("The JSON Patch could not be applied: {e}"))
    })?;
    let patched: OAuth2Client = serde_json::from_value(doc).map_err(|e| {
        ApiError::invalid_request(format!("The patched document is not a valid client: {e}"))
    })?;
    if patched.client_id != id {
        return Err(ApiError::invalid_request(
            "The patch would change the client_id, which cannot be changed.",
        ));
    }
    Ok(patched)
}

/// Whether `op` writes `/client_id` (or below it), as its target or, for `move`, its source.
fn writes_client_id(op: &JsonPatchOperation) -> bool {
    let hits = |pointer: &str| pointer == "/client_id" || pointer.starts_with("/client_id/");
    match op.op.as_str() {
        "test" | "copy" => op.op == "copy" && hits(&op.path),
        "move" => hits(&op.path) || op.from.as_deref().is_some_and(hits),
        _ => hits(&op.path),
    }
}

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse;
    use serde_json::json;

    use super::*;

    fn client() -> OAuth2Client {
        OAuth2Client {
            client_id: "app".into(),
            client_name: "App".into(),
            redirect_uris: vec!["https://app.example/cb".into()],
            ..OAuth2Client::default()
        }
    }

    fn ops(value: serde_json::Value) -> Vec<JsonPatchOperation> {
        serde_json::from_value(value).unwrap()
    }

    async fn status_and_body(err: ApiError) -> (u16, serde_json::Value) {
        let response = err.into_response();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[test]
    fn replace_add_remove_and_test_apply_in_order() {
        let patched = apply_to_client(
            client(),
            &ops(json!([
                {"op": "test", "path": "/client_name", "value": "App"},
                {"op": "replace", "path": "/client_name", "value": "Renamed"},
                {"op": "add", "path": "/redirect_uris/-", "value": "https://app.example/2"},
                {"op": "add", "path": "/skip_consent", "value": true},
                {"op": "add", "path": "/metadata", "value": {"tier": "gold"}},
                {"op": "copy", "from": "/client_name", "path": "/owner"},
            ])),
        )
        .unwrap();
        assert_eq!(patched.client_name, "Renamed");
        assert_eq!(patched.owner, "Renamed");
        assert_eq!(patched.redirect_uris.len(), 2);
        assert_eq!(patched.skip_consent, Some(true));
        assert_eq!(patched.metadata, Some(json!({"tier": "gold"})));
    }

    #[tokio::test]
    async fn changing_the_client_id_is_refused() {
        for patch in [
            json!([{"op": "replace", "path": "/client_id", "value": "other"}]),
            json!([{"op": "remove", "path": "/client_id"}]),
            json!([{"op": "move", "from": "/client_id", "path": "/owner"}]),
            json!([{"op": "copy", "from": "/owner", "path": "/client_id"}]),
        ] {
            let err = apply_to_client(client(), &ops(patch.clone())).unwrap_err();
            let (status, body) = status_and_body(err).await;
            assert_eq!(status, 400, "{patch}");
            assert_eq!(body["error"], "invalid_request", "{patch}");
            assert!(
                body["error_hint"].as_str().unwrap().contains("client_id"),
                "{body}"
            );
        }
        // Reading it is fine.
        apply_to_client(
            client(),
            &ops(json!([{"op": "test", "path": "/client_id", "value": "app"}])),
        )
        .unwrap();
    }

    #[tokio::test]
    async fn invalid_patches_are_400_in_hydras_format() {
        for patch in [
            json!([{"op": "frobnicate", "path": "/client_name", "value": 1}]),
            json!([{"op": "replace", "path": "/no_such_field/x", "value": 1}]),
            json!([{"op": "test", "path": "/client_name", "value": "Other"}]),
            json!([{"op": "replace", "path": "/redirect_uris", "value": "not a list"}]),
            json!([{"op": "remove", "path": "/redirect_uris/7"}]),
            json!([{"op": "replace", "path": "client_name", "value": "x"}]),
        ] {
            let err = apply_to_client(client(), &ops(patch.clone())).unwrap_err();
            let (status, body) = status_and_body(err).await;
            assert_eq!(status, 400, "{patch}");
            assert_eq!(body["error"], "invalid_request", "{patch}");
            assert!(body["error_hint"].is_string(), "{body}");
        }
    }
}
