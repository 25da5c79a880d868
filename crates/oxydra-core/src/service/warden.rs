//! The warden of the admin guard: which resources a guarded admin request touches, with which
//! request context (the owner of a stored or new client, each key of a stored set), and whether
//! the policies allow the caller every one of them (Hydra 0.x's warden, `shared/spec/api.md`
//! §4).
//!
//! The HTTP edge authenticates the token first ([`super::access_control`]), then hands over
//! plain values: the route's resource template, action and [`Context`], the path (and query)
//! parameters, and the body when [`Context::reads_body`] says it is needed.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::OAuthError;
use crate::error::Error;
use crate::model::{ClientId, Now};
use crate::policy::AccessRequest;
use crate::service::access_control;
use crate::service::policy_cache::PolicyCache;
use crate::store::{ClientStore, KeyStore, PolicyStore};

#[cfg(test)]
#[path = "warden_tests.rs"]
mod tests;

/// What the request context of a guarded route holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Nothing.
    Empty,
    /// `owner` = the `owner` of the client in the JSON body (create).
    NewClientOwner,
    /// `owner` = the owner of the stored client `{id}` (absent when there is none).
    StoredClientOwner,
    /// Both of the above must be allowed: the client's current owner and the one it gets
    /// (update; Hydra checked only the current one).
    StoredAndNewClientOwner,
    /// The resource is checked once per key of the stored set `{set}`, with `{kid}` bound to
    /// each (Hydra's `GET /keys/{set}`); an empty set is checked as `keys:{set}`.
    EachKeyOfSet,
}

impl Context {
    /// Whether the decision needs the request body (to learn a client's new owner).
    pub fn reads_body(self) -> bool {
        matches!(self, Self::NewClientOwner | Self::StoredAndNewClientOwner)
    }
}

/// One guarded admin request, in the plain values the HTTP edge took from it.
#[derive(Debug, Clone, Copy)]
pub struct Guarded<'a> {
    /// The token's subject (a client id).
    pub subject: &'a str,
    /// The action (`get`, `create`, ...).
    pub action: &'a str,
    /// The resource name template after the prefix; `{name}` is a parameter.
    pub resource: &'a str,
    /// What goes into the request context.
    pub context: Context,
    /// `RESOURCE_NAME_PREFIX`.
    pub prefix: &'a str,
    /// The path parameters, then the query parameters; the first of a name wins.
    pub params: &'a [(String, String)],
    /// The request body; read only when [`Context::reads_body`], else empty.
    pub body: &'a [u8],
}

/// Why the warden refused a request.
#[derive(Debug)]
pub enum Refused {
    /// The resources could not be resolved (a missing parameter, a store failure).
    Unresolved(Error),
    /// The policies refused; `resource` is the first resource that was checked.
    Denied {
        /// The `request_forbidden` error.
        error: Error,
        /// The first resource checked, for the log.
        resource: Option<String>,
    },
}

impl Refused {
    /// The error to answer with.
    pub fn into_error(self) -> Error {
        match self {
            Self::Unresolved(error) | Self::Denied { error, .. } => error,
        }
    }
}

/// A resource name with its request context.
pub type Target = (String, BTreeMap<String, Value>);

/// Allows `request` when the policies allow its subject the action on every resource it
/// touches (deny wins, default deny).
pub async fn decide<S: ClientStore + KeyStore + PolicyStore>(
    store: &S,
    cache: &PolicyCache,
    now: Now,
    request: &Guarded<'_>,
) -> Result<(), Refused> {
    let targets = targets(store, request).await.map_err(Refused::Unresolved)?;
    let requests: Vec<AccessRequest<'_>> = targets
        .iter()
        .map(|(resource, context)| AccessRequest {
            subject: request.subject,
            action: request.action,
            resource,
            context,
        })
        .collect();
    access_control::check_policies(store, cache, now, &requests)
        .await
        .map_err(|error| Refused::Denied {
            error,
            resource: targets.first().map(|t| t.0.clone()),
        })
}

/// The resources (each with its context) `request` must be allowed on.
pub async fn targets<S: ClientStore + KeyStore>(
    store: &S,
    request: &Guarded<'_>,
) -> Result<Vec<Target>, Error> {
    let lookup = |name: &str| param(request.params, name);
    let resource = request.resource;
    let name = |lookup: &dyn Fn(&str) -> Option<String>, template: &str| {
        resource_name(request.prefix, template, lookup).ok_or_else(|| {
            Error::OAuth(OAuthError::invalid_request(
                "The request lacks a parameter that names the resource.",
            ))
        })
    };
    let owner = |owner: Option<String>| {
        owner
            .map(|o| BTreeMap::from([("owner".to_owned(), Value::String(o))]))
            .unwrap_or_default()
    };
    Ok(match request.context {
        Context::Empty => vec![(name(&lookup, resource)?, BTreeMap::new())],
        Context::StoredClientOwner => {
            let stored = stored_owner(store, lookup("id")).await?;
            vec![(name(&lookup, resource)?, owner(stored))]
        }
        Context::NewClientOwner => {
            let new = owner_in_body(request.body);
            vec![(name(&lookup, resource)?, owner(Some(new)))]
        }
        Context::StoredAndNewClientOwner => {
            let stored = stored_owner(store, lookup("id")).await?;
            let new = owner_in_body(request.body);
            let resource = name(&lookup, resource)?;
            vec![
                (resource.clone(), owner(stored)),
                (resource, owner(Some(new))),
            ]
        }
        Context::EachKeyOfSet => {
            let set = lookup("set").unwrap_or_default();
            let kids: Vec<String> = store
                .get_set(&set)
                .await
                .map_err(|e| Error::from_store("key set", e))?
                .into_iter()
                .map(|k| k.kid)
                .collect();
            if kids.is_empty() {
                return Ok(vec![(name(&lookup, "keys:{set}")?, BTreeMap::new())]);
            }
            let mut targets = Vec::with_capacity(kids.len());
            for kid in kids {
                let with_kid = |n: &str| {
                    if n == "kid" {
                        Some(kid.clone())
                    } else {
                        lookup(n)
                    }
                };
                targets.push((name(&with_kid, resource)?, BTreeMap::new()));
            }
            targets
        }
    })
}

/// The owner of stored client `id`; `None` when there is no such client (or the id is not
/// one): the context then has no `owner`, so owner conditions fail.
async fn stored_owner<S: ClientStore>(
    store: &S,
    id: Option<String>,
) -> Result<Option<String>, Error> {
    let Some(id) = id.and_then(|id| ClientId::parse(id).ok()) else {
        return Ok(None);
    };
    let client = store
        .get_client(&id)
        .await
        .map_err(|e| Error::from_store("client", e))?;
    Ok(client.map(|c| c.owner))
}

/// The `owner` of the client a JSON body describes; `""` when absent or unreadable (the
/// handler reports malformed JSON).
pub fn owner_in_body(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("owner").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default()
}

/// The first parameter called `name`.
fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// `prefix:resource` with each `{name}` replaced by `lookup(name)`; `None` when a value is
/// missing. A trailing `:` of the prefix is dropped, as Hydra 0.x did.
pub fn resource_name(
    prefix: &str,
    template: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    let mut out = String::with_capacity(prefix.len() + template.len() + 16);
    out.push_str(prefix.strip_suffix(':').unwrap_or(prefix));
    out.push(':');
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}')? + start;
        out.push_str(&lookup(&rest[start + 1..end])?);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}
