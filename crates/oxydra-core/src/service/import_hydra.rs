//! `oxydra import hydra` as a use case: converts everything read from a Hydra database first
//! (so a wrong Hydra system secret is found before anything is written), then writes kind by
//! kind, each in one transaction that skips rows already present (a second run is a no-op).
//! The pure conversions are in `import::hydra`; the report says what came over and why not.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::Error;
use crate::config::ClientPolicy;
use crate::import::hydra::aead::{HydraKeyCipher, HydraKeyError};
use crate::import::hydra::keys::KeyImportError;
use crate::import::hydra::session_cookie::HydraCookieKey;
use crate::import::hydra::{Generation, HydraDump, clients, flows, keys, policies, tokens};
use crate::import::report::{ImportReport, KindReport};
use crate::jwk::{KeyCipher, StoredKey};
use crate::model::{ClientId, Now, Secret};
use crate::store::{ClientStore, ImportStore};
use crate::token::hydra::HydraTokenKey;

/// What an import needs besides the rows.
#[derive(Debug)]
pub struct HydraImport<'a> {
    /// Hydra's `SYSTEM_SECRET`, which sealed its keys and keyed its token HMAC.
    pub hydra_secret: Option<&'a Secret<Vec<u8>>>,
    /// Hydra's `COOKIE_SECRET`, when it ran with one (else its cookies were signed with a
    /// key derived from the system secret).
    pub hydra_cookie_secret: Option<&'a Secret<Vec<u8>>>,
    /// Oxydra's key cipher: imported keys are sealed under it.
    pub cipher: &'a KeyCipher,
    /// The rules imported clients must pass.
    pub client_policy: &'a ClientPolicy,
    /// How long an imported login session is honoured after its login.
    pub browser_session: Duration,
    /// Write nothing; report what would be written.
    pub dry_run: bool,
    /// The current time (expired rows stay behind).
    pub now: Now,
}

/// Imports `dump` into `store` and reports per kind.
pub async fn import<S: ImportStore + ClientStore>(
    store: &S,
    dump: &HydraDump,
    opts: &HydraImport<'_>,
) -> Result<ImportReport, Error> {
    let write = !opts.dry_run;
    // Every key is opened before anything is written: a wrong secret stops here.
    let (mut key_report, stored_keys, token_key) = convert_keys(dump, opts)?;
    let (client_report, mut known) = import_clients(store, dump, opts).await?;
    key_report.count(
        &store
            .import_keys(&stored_keys, write, opts.now)
            .await
            .map_err(|e| Error::from_store("key", e))?,
    );
    let session_report = import_login_sessions(store, dump, opts).await?;
    let consent_report = import_consents(store, dump, opts, &mut known).await?;
    let token_report = import_tokens(store, dump, opts, token_key.is_some(), &mut known).await?;
    let policy_report = import_policies(store, dump, opts).await?;
    Ok(ImportReport {
        generation: dump.generation.name().to_owned(),
        dry_run: opts.dry_run,
        kinds: vec![
            ("clients", client_report),
            ("keys", key_report),
            ("login sessions", session_report),
            ("consents", consent_report),
            ("tokens", token_report),
            ("policies", policy_report),
            ("flow state", flow_state(dump)),
        ],
    })
}

/// Clients, and the ids of those that come over.
async fn import_clients<S: ImportStore>(
    store: &S,
    dump: &HydraDump,
    opts: &HydraImport<'_>,
) -> Result<(KindReport, BTreeSet<String>), Error> {
    let mut report = KindReport::default();
    let mut new_clients = Vec::new();
    for row in &dump.clients {
        match clients::convert(row, opts.client_policy, opts.now) {
            Ok(converted) => {
                if !converted.dropped.is_empty() {
                    report.notes.push(format!(
                        "client {}: Oxydra has no place for {}; their values are dropped",
                        row.id,
                        converted.dropped.join(", ")
                    ));
                }
                new_clients.push(converted.client);
            }
            Err(reason) => report.skip(format!("client {}", row.id), reason),
        }
    }
    let known = new_clients
        .iter()
        .map(|c| c.id.as_str().to_owned())
        .collect();
    report.count(
        &store
            .import_clients(&new_clients, !opts.dry_run, opts.now)
            .await
            .map_err(|e| Error::from_store("client", e))?,
    );
    Ok((report, known))
}

async fn import_login_sessions<S: ImportStore>(
    store: &S,
    dump: &HydraDump,
    opts: &HydraImport<'_>,
) -> Result<KindReport, Error> {
    let mut report = KindReport::default();
    let mut sessions = Vec::new();
    for row in &dump.login_sessions {
        match flows::login_session(row, opts.browser_session, opts.now) {
            Ok(s) => sessions.push(s),
            Err(reason) => report.skip(format!("login session of {}", row.subject), reason),
        }
    }
    report.count(
        &store
            .import_login_sessions(&sessions, !opts.dry_run, opts.now)
            .await
            .map_err(|e| Error::from_store("login session", e))?,
    );
    Ok(report)
}

async fn import_consents<S: ImportStore + ClientStore>(
    store: &S,
    dump: &HydraDump,
    opts: &HydraImport<'_>,
    known: &mut BTreeSet<String>,
) -> Result<KindReport, Error> {
    let mut report = KindReport::default();
    let mut consents = Vec::new();
    for row in &dump.consents {
        // Challenges and verifiers let their holder act in the flow: never printed.
        let what = format!("consent of {} to {}", row.subject, row.client_id);
        match flows::remembered_consent(row, opts.now) {
            Ok(c) if client_known(store, known, &c.client_id).await? => consents.push(c),
            Ok(_) => report.skip(what, "its client is not in Oxydra"),
            Err(reason) => report.skip(what, reason),
        }
    }
    report.count(
        &store
            .import_consents(&consents, !opts.dry_run, opts.now)
            .await
            .map_err(|e| Error::from_store("consent", e))?,
    );
    Ok(report)
}

async fn import_tokens<S: ImportStore + ClientStore>(
    store: &S,
    dump: &HydraDump,
    opts: &HydraImport<'_>,
    secret_proven: bool,
    known: &mut BTreeSet<String>,
) -> Result<KindReport, Error> {
    let mut report = KindReport::default();
    let mut rows = Vec::new();
    for row in &dump.tokens {
        let what = format!("{:?} token of request {}", row.table, row.request_id).to_lowercase();
        if !secret_proven {
            report.skip(what, token_key_missing(opts, dump));
            continue;
        }
        match tokens::convert(row, opts.now) {
            Ok(t) if client_known(store, known, &t.client_id).await? => rows.push(t),
            Ok(_) => report.skip(what, "its client is not in Oxydra"),
            Err(reason) => report.skip(what, reason),
        }
    }
    report.count(
        &store
            .import_tokens(&rows, !opts.dry_run, opts.now)
            .await
            .map_err(|e| Error::from_store("token", e))?,
    );
    Ok(report)
}

/// 0.10/0.11 access-control policies.
async fn import_policies<S: ImportStore>(
    store: &S,
    dump: &HydraDump,
    opts: &HydraImport<'_>,
) -> Result<KindReport, Error> {
    let mut report = KindReport::default();
    let mut converted = Vec::new();
    for row in &dump.policies {
        match policies::convert(row) {
            Ok(p) => converted.push(p),
            Err(reason) => report.skip(format!("policy {}", row.id), reason),
        }
    }
    report.count(
        &store
            .import_policies(&converted, !opts.dry_run, opts.now)
            .await
            .map_err(|e| Error::from_store("policy", e))?,
    );
    Ok(report)
}

/// What is left behind on purpose: short-lived flow state.
fn flow_state(dump: &HydraDump) -> KindReport {
    let mut report = KindReport::default();
    if dump.flow_state_rows > 0 {
        report.notes.push(format!(
            "{} authorization code, OpenID Connect and PKCE session row(s) not imported: \
             short-lived flow state, the flows restart",
            dump.flow_state_rows
        ));
    }
    if dump.legacy_consents > 0 {
        report.notes.push(format!(
            "{} consent-by-id request(s) of Hydra 0.x dropped: unfinished flows restart",
            dump.legacy_consents
        ));
    }
    report
}

/// Opens every Hydra key with the given secret before anything is written; a key that does
/// not open stops the import (the secret is wrong). Adds Hydra's token key once the secret is
/// proven by at least one key.
fn convert_keys(
    dump: &HydraDump,
    opts: &HydraImport<'_>,
) -> Result<(KindReport, Vec<StoredKey>, Option<HydraTokenKey>), Error> {
    let mut report = KindReport::default();
    let Some(secret) = opts.hydra_secret else {
        for row in &dump.keys {
            report.skip(
                format!("key {}/{}", row.set, row.kid),
                "no Hydra system secret given (--hydra-system-secret): Hydra encrypted it",
            );
        }
        let mut stored = Vec::new();
        if let Some(key) = cookie_key(dump, opts, None)? {
            stored.push(key);
        }
        return Ok((report, stored, None));
    };
    let token_key = HydraTokenKey::from_system_secret(secret.expose())
        .map_err(|e| Error::invalid("hydra_system_secret", e.to_string()))?;
    let hydra = HydraKeyCipher::new(secret.expose())
        .map_err(|e| Error::invalid("hydra_system_secret", e.to_string()))?;
    let mut stored = Vec::new();
    let mut proven = false;
    for row in &dump.keys {
        match keys::convert(row, &hydra, opts.cipher, opts.now) {
            Ok(key) => {
                proven = true;
                stored.push(key);
            }
            Err(KeyImportError::Open(HydraKeyError::WrongSecret)) => {
                return Err(Error::invalid(
                    "hydra_system_secret",
                    format!(
                        "the Hydra system secret does not decrypt Hydra's key {}/{}: it is not \
                         the SYSTEM_SECRET Hydra ran with; nothing was imported",
                        row.set, row.kid
                    ),
                ));
            }
            Err(e) => report.skip(format!("key {}/{}", row.set, row.kid), e.to_string()),
        }
    }
    if !proven {
        return Ok((report, stored, None));
    }
    let hmac = keys::token_key(&token_key, opts.now, opts.cipher)
        .map_err(|e| Error::invalid("hydra_system_secret", e.to_string()))?;
    stored.push(hmac);
    if let Some(key) = cookie_key(dump, opts, Some(secret))? {
        stored.push(key);
    }
    Ok((report, stored, Some(token_key)))
}

/// The key of Hydra's login cookie (1.0.0-beta; 0.x had none), sealed for the server to read
/// Hydra's cookies with: the given `COOKIE_SECRET`, else derived from a proven system secret.
fn cookie_key(
    dump: &HydraDump,
    opts: &HydraImport<'_>,
    proven_system_secret: Option<&Secret<Vec<u8>>>,
) -> Result<Option<StoredKey>, Error> {
    if dump.generation != Generation::V1Beta {
        return Ok(None);
    }
    let key = match (opts.hydra_cookie_secret, proven_system_secret) {
        (Some(cookie), _) => HydraCookieKey::from_cookie_secret(cookie.expose()),
        (None, Some(system)) => HydraCookieKey::from_system_secret(system.expose()).ok(),
        (None, None) => None,
    };
    let Some(key) = key else { return Ok(None) };
    keys::cookie_key(&key, opts.now, opts.cipher)
        .map(Some)
        .map_err(|e| Error::invalid("hydra_cookie_secret", e.to_string()))
}

/// Why no token can be imported without a proven secret.
fn token_key_missing(opts: &HydraImport<'_>, dump: &HydraDump) -> &'static str {
    if opts.hydra_secret.is_none() {
        "no Hydra system secret given (--hydra-system-secret): tokens verify with it"
    } else if dump.keys.is_empty() {
        "the Hydra system secret cannot be checked (Hydra stored no key to open with it)"
    } else {
        "the Hydra system secret opened none of Hydra's keys"
    }
}

/// Whether a row's client exists in Oxydra or comes over in this import (tokens and consents
/// belong to a client); remembers the answer.
async fn client_known<S: ClientStore>(
    store: &S,
    known: &mut BTreeSet<String>,
    id: &ClientId,
) -> Result<bool, Error> {
    if known.contains(id.as_str()) {
        return Ok(true);
    }
    let found = store
        .get_client(id)
        .await
        .map_err(|e| Error::from_store("client", e))?
        .is_some();
    if found {
        known.insert(id.as_str().to_owned());
    }
    Ok(found)
}
