//! `/keys`: JSON Web Key sets (Hydra 1.0.0-beta admin API, `shared/spec/api.md` §2.2). The admin
//! API returns private material, as Hydra's does; storage holds it encrypted.

use axum::Extension;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oxydra_api::paths::{KEY, KEY_SET};
use oxydra_api::{JSONWebKey, JSONWebKeySet, JsonWebKeySetGeneratorRequest};
use oxydra_core::Error;
use oxydra_core::jwk::Jwk;
use oxydra_core::jwk::public_part;
use oxydra_core::service::key_guard;
use oxydra_core::service::keys::{self, GenerateRequest};
use oxydra_core::service::signing_keys::SigningKeys;
use serde::Deserialize;

use crate::error::ApiError;
use crate::extract::{Json, Path};
use crate::state::AppState;

/// The key routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            KEY_SET,
            get(get_set).post(create).put(put_set).delete(delete_set),
        )
        .route(KEY, get(get_key).put(put_key).delete(delete_key))
}

/// Wire key → core key (same RFC 7517 names; `x5c` is not kept).
fn to_core(key: JSONWebKey) -> Result<Jwk, Error> {
    let value = serde_json::to_value(key)
        .map_err(|e| Error::invalid("jwk", format!("cannot read the key: {e}")))?;
    serde_json::from_value(value).map_err(|e| Error::invalid("jwk", format!("bad key: {e}")))
}

/// Core key → wire key.
fn to_wire(key: Jwk) -> Result<JSONWebKey, Error> {
    let value = serde_json::to_value(key)
        .map_err(|e| Error::invalid("jwk", format!("cannot write the key: {e}")))?;
    serde_json::from_value(value).map_err(|e| Error::invalid("jwk", format!("bad key: {e}")))
}

fn to_set(keys: Vec<Jwk>, shown: Shown) -> Result<JSONWebKeySet, Error> {
    Ok(JSONWebKeySet {
        keys: keys
            .into_iter()
            .map(|key| to_wire(visible(&shown, key)))
            .collect::<Result<_, _>>()?,
    })
}

/// Marks a request that reached the key routes on a port browsers reach with no guard in
/// front (0.10 mode with `OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN`): its answers carry
/// public halves only, so private key material never goes to an anonymous caller there.
#[derive(Debug, Clone, Copy)]
pub struct PublicHalvesOnly;

/// What a key answer may show: the request's [`PublicHalvesOnly`] mark, if any.
type Shown = Option<Extension<PublicHalvesOnly>>;

/// The key as it may be shown: whole, or only its public half (a symmetric key without its
/// value) when the request is marked [`PublicHalvesOnly`].
fn visible(shown: &Shown, key: Jwk) -> Jwk {
    match shown {
        None => key,
        Some(_) => public_part(&key).unwrap_or(Jwk { k: None, ..key }),
    }
}

/// `POST /keys/{set}` → 201 with the generated keys.
async fn create(
    State(state): State<AppState>,
    shown: Shown,
    Path(set): Path<String>,
    Json(body): Json<JsonWebKeySetGeneratorRequest>,
) -> Result<Response, ApiError> {
    let request = GenerateRequest {
        alg: body.alg,
        kid: body.kid,
        key_use: body.key_use,
    };
    let generated = keys::generate(
        &state.store,
        &state.key_cipher,
        state.key_options,
        state.now(),
        &set,
        request,
    )
    .await?;
    state.keys_changed(&set);
    Ok((StatusCode::CREATED, axum::Json(to_set(generated, shown)?)).into_response())
}

/// `GET /keys/{set}` → every key, private ones included; 404 when empty.
async fn get_set(
    State(state): State<AppState>,
    shown: Shown,
    Path(set): Path<String>,
) -> Result<axum::Json<JSONWebKeySet>, ApiError> {
    let found = keys::get_set(&state.store, &state.key_cipher, &set).await?;
    Ok(axum::Json(to_set(found, shown)?))
}

/// `GET /keys/{set}/{kid}` → a set holding that one key; 404.
async fn get_key(
    State(state): State<AppState>,
    shown: Shown,
    Path((set, kid)): Path<(String, String)>,
) -> Result<axum::Json<JSONWebKeySet>, ApiError> {
    let found = keys::get_key(&state.store, &state.key_cipher, &set, &kid).await?;
    Ok(axum::Json(to_set(vec![found], shown)?))
}

/// The body of `PUT /keys/{set}`: unlike the answer model, `keys` is required, so a body
/// without it (`{}`, a typo such as `kyes`) is a 400 instead of an order to empty the set.
#[derive(Deserialize)]
struct ReplaceSet {
    keys: Vec<JSONWebKey>,
}

/// The signing set cache guarding `set`, when `set` is one the server signs with.
fn signing_guard<'a>(state: &'a AppState, set: &str) -> Option<&'a SigningKeys> {
    [&state.id_token_keys, &state.access_token_keys]
        .into_iter()
        .map(|keys| keys.as_ref())
        .find(|keys| keys.set() == set)
}

/// `PUT /keys/{set}` → replaces the set with the validated keys sent.
async fn put_set(
    State(state): State<AppState>,
    shown: Shown,
    Path(set): Path<String>,
    Json(body): Json<ReplaceSet>,
) -> Result<axum::Json<JSONWebKeySet>, ApiError> {
    let input = body
        .keys
        .into_iter()
        .map(to_core)
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(guard) = signing_guard(&state, &set) {
        key_guard::check_set(guard, &input, state.now())?;
    }
    let saved =
        keys::replace_set(&state.store, &state.key_cipher, state.now(), &set, input).await?;
    state.keys_changed(&set);
    Ok(axum::Json(to_set(saved, shown)?))
}

/// `PUT /keys/{set}/{kid}` → inserts or replaces that key; the body's kid must match the path.
async fn put_key(
    State(state): State<AppState>,
    shown: Shown,
    Path((set, kid)): Path<(String, String)>,
    Json(body): Json<JSONWebKey>,
) -> Result<axum::Json<JSONWebKey>, ApiError> {
    let jwk = to_core(body)?;
    if let Some(guard) = signing_guard(&state, &set) {
        key_guard::check_put_key(&state.store, &state.key_cipher, guard, &jwk, state.now()).await?;
    }
    let saved = keys::replace_key(
        &state.store,
        &state.key_cipher,
        state.now(),
        &set,
        &kid,
        jwk,
    )
    .await?;
    state.keys_changed(&set);
    Ok(axum::Json(to_wire(visible(&shown, saved))?))
}

/// `DELETE /keys/{set}` → 204; 404 when absent.
async fn delete_set(
    State(state): State<AppState>,
    Path(set): Path<String>,
) -> Result<StatusCode, ApiError> {
    keys::delete_set(&state.store, &set).await?;
    state.keys_changed(&set);
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /keys/{set}/{kid}` → 204; 404 when absent.
async fn delete_key(
    State(state): State<AppState>,
    Path((set, kid)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    if let Some(guard) = signing_guard(&state, &set) {
        key_guard::check_delete_key(&state.store, &state.key_cipher, guard, &kid, state.now())
            .await?;
    }
    keys::delete_key(&state.store, &set, &kid).await?;
    state.keys_changed(&set);
    Ok(StatusCode::NO_CONTENT)
}
