//! The admin API's access control: `ADMIN_ACCESS_CONTROL`, `FORCE_ROOT_CLIENT_CREDENTIALS` and
//! `OXYDRA_POLICY_CACHE_TTL`.

use std::collections::BTreeMap;
use std::time::Duration;

use oxydra_core::Secret;
use oxydra_core::model::ClientId;

use super::duration::parse_duration;
use super::env::{EnvSource, Reader};

/// Shortest root-client secret accepted (the client-secret rule of `/clients`).
const MIN_ROOT_SECRET_LEN: usize = 6;

/// How the admin API decides who may call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdminAccessControl {
    /// The admin port is the trust boundary, as in Hydra 1.0.0-beta: no checks at all.
    #[default]
    Off,
    /// Hydra 0.x: a bearer token of this server with the area's scope, and a policy that
    /// allows its subject the action on the resource.
    Policies,
}

/// The credentials of the root client to create at start-up.
#[derive(Debug, Clone)]
pub struct RootCredentials {
    /// Client id.
    pub id: ClientId,
    /// Client secret (redacted in `Debug`).
    pub secret: Secret<String>,
}

/// Access-control settings of the admin API.
#[derive(Debug, Clone)]
pub struct AccessControlConfig {
    /// `ADMIN_ACCESS_CONTROL`.
    pub mode: AdminAccessControl,
    /// `FORCE_ROOT_CLIENT_CREDENTIALS`.
    pub root_client: Option<RootCredentials>,
    /// `OXYDRA_POLICY_CACHE_TTL`: how stale another instance's policy writes may be seen.
    pub policy_cache_ttl: Duration,
    /// `OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN`: 0.10 mode may serve the admin API on
    /// the public port without the guard (a trusted network only; private keys stay hidden).
    pub allow_unguarded_legacy_admin: bool,
}

impl Default for AccessControlConfig {
    /// The documented defaults (the key table's).
    fn default() -> Self {
        access_control(&mut Reader::new(&BTreeMap::new(), &[]))
    }
}

pub(super) fn access_control<E: EnvSource + ?Sized>(r: &mut Reader<'_, E>) -> AccessControlConfig {
    let mode = r.parse_documented("ADMIN_ACCESS_CONTROL", |s| {
        match s.to_ascii_lowercase().as_str() {
            "off" | "none" => Ok(AdminAccessControl::Off),
            "policies" => Ok(AdminAccessControl::Policies),
            _ => Err(format!(
                "{s:?} is not an access-control mode (off or policies)"
            )),
        }
    });
    let root_client = r.parse("FORCE_ROOT_CLIENT_CREDENTIALS", None, |s| {
        parse_root_credentials(s).map(Some)
    });
    let policy_cache_ttl = r.parse_documented("OXYDRA_POLICY_CACHE_TTL", parse_duration);
    let allow_unguarded_legacy_admin =
        r.bool_documented("OXYDRA_DANGEROUSLY_ALLOW_UNGUARDED_LEGACY_ADMIN");
    AccessControlConfig {
        mode,
        root_client,
        policy_cache_ttl,
        allow_unguarded_legacy_admin,
    }
}

/// `id:secret`, each part URL-decoded (Hydra 0.x's form, so a `:` can be written `%3A`). The
/// error never quotes the value: it holds a secret.
fn parse_root_credentials(raw: &str) -> Result<RootCredentials, String> {
    let Some((id, secret)) = raw.split_once(':') else {
        return Err("must be `id:secret` (URL-encode a `:` inside either as %3A)".to_owned());
    };
    let id = query_unescape(id).ok_or("the client id is not validly URL-encoded")?;
    let secret = query_unescape(secret).ok_or("the client secret is not validly URL-encoded")?;
    let id = ClientId::parse(id).map_err(|e| format!("the client id is invalid: {e}"))?;
    if secret.chars().count() < MIN_ROOT_SECRET_LEN {
        return Err(format!(
            "the client secret must be at least {MIN_ROOT_SECRET_LEN} characters long"
        ));
    }
    Ok(RootCredentials {
        id,
        secret: Secret::new(secret),
    })
}

/// Go's `url.QueryUnescape`: `+` is a space, `%XX` a byte; the result must be UTF-8.
fn query_unescape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_credentials_are_url_decoded_and_checked() {
        let c = parse_root_credentials("admin:h6hy92tK4dQcZ2Ea").unwrap();
        assert_eq!(c.id.as_str(), "admin");
        assert_eq!(c.secret.expose(), "h6hy92tK4dQcZ2Ea");
        let c = parse_root_credentials("my%3Aroot:p%40ss%3Aword+x").unwrap();
        assert_eq!(c.id.as_str(), "my:root");
        assert_eq!(c.secret.expose(), "p@ss:word x");
        let c = parse_root_credentials("a:b:c:defgh").unwrap();
        assert_eq!(c.secret.expose(), "b:c:defgh");
        for bad in [
            "admin",
            ":secret-long",
            "admin:short",
            "a\u{1}b:longsecret",
            "a:%zzlongsecret",
        ] {
            let err = parse_root_credentials(bad).unwrap_err();
            assert!(
                !err.contains("secret-long") && !err.contains("longsecret"),
                "{err}"
            );
        }
        assert!(
            !format!("{:?}", parse_root_credentials("admin:hunter2222").unwrap())
                .contains("hunter2222")
        );
    }
}
