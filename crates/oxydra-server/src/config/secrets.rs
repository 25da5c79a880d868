//! Secret material: system and cookie secrets, inline PEM, and DSN redaction.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// Length of a generated system secret, in bytes.
pub const GENERATED_SECRET_LEN: usize = 32;

/// The shortest system secret accepted, in bytes (Hydra's rule).
pub const MIN_SYSTEM_SECRET_LEN: usize = 16;

/// The shortest cookie secret accepted, in bytes: it is an HMAC key, so it must not be
/// guessable (Hydra accepts any length).
pub const MIN_COOKIE_SECRET_LEN: usize = 16;

/// A fresh random system secret (development mode only).
pub(crate) fn random_secret() -> Result<Vec<u8>, String> {
    let mut bytes = vec![0u8; GENERATED_SECRET_LEN];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| "the operating system's random generator failed".to_owned())?;
    Ok(bytes)
}

/// SHA-256 of `bytes` (the default cookie secret is the hashed system secret, as in Hydra).
pub(crate) fn sha256(bytes: &[u8]) -> Vec<u8> {
    digest(&SHA256, bytes).as_ref().to_vec()
}

/// Accepts inline PEM text (literal `\n` escapes are turned into newlines) or base64-encoded PEM.
pub(crate) fn decode_pem(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    if trimmed.contains("-----BEGIN") {
        if !trimmed.contains('\n') && trimmed.contains("\\n") {
            return Ok(trimmed.replace("\\n", "\n"));
        }
        return Ok(trimmed.to_owned());
    }
    let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(&compact).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|pem| pem.contains("-----BEGIN"))
        .ok_or_else(|| "is neither PEM text nor base64-encoded PEM".to_owned())
}

/// The DSN with its password replaced by `redacted`, for logs and messages.
/// Handles URL user-info (`scheme://user:pass@host`) and `password=` parameters.
pub fn redact_dsn(dsn: &str) -> String {
    let mut out = dsn.to_owned();
    let start = out.find("://").map_or(0, |i| i + 3);
    let authority_end = out[start..].find('?').map_or(out.len(), |i| start + i);
    if let Some(at) = out[start..authority_end].rfind('@').map(|i| start + i)
        && let Some(colon) = out[start..at].find(':').map(|i| start + i)
    {
        out.replace_range(colon + 1..at, "redacted");
    }
    let mut search_from = 0;
    while let Some(pos) = out[search_from..]
        .find("password=")
        .map(|i| search_from + i)
    {
        let value_start = pos + "password=".len();
        let value_end = out[value_start..]
            .find(|c: char| c == '&' || c.is_whitespace())
            .map_or(out.len(), |i| value_start + i);
        out.replace_range(value_start..value_end, "redacted");
        search_from = value_start + "redacted".len();
    }
    out
}
