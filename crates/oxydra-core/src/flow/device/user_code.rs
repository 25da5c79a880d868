//! User codes (RFC 8628 §6.1): short, typed by people, so they use an alphabet without vowels
//! (no words can form) and without easily confused characters, are shown with a dash in the
//! middle, and are read back case- and dash-insensitively.
//!
//! The alphabet is §6.1's `BCDFGHJKLMNPQRSTVWXZ` (20 characters): 8 characters give
//! 20^8 ≈ 2^34.6 codes. That is enough only together with the short lifetime of a code and the
//! verification page's limit on wrong guesses (see `docs/api-compat.md`).

use aws_lc_rs::rand::{SecureRandom, SystemRandom};

use crate::{Error, OAuthError, OAuthErrorKind};

/// RFC 8628 §6.1's example alphabet: consonants only, none easily mistaken for another.
pub const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
/// The shortest user code the configuration allows (20^6 ≈ 2^26).
pub const MIN_LENGTH: usize = 6;
/// The longest user code the configuration allows.
pub const MAX_LENGTH: usize = 16;

/// A fresh user code of `length` characters, normalised (no dash). Each character is drawn
/// without modulo bias: random bytes of 240 or more are redrawn (240 = 12 × 20).
pub fn generate(length: usize) -> Result<String, Error> {
    let rng = SystemRandom::new();
    let mut code = String::with_capacity(length);
    let mut buf = [0u8; 32];
    while code.len() < length {
        rng.fill(&mut buf).map_err(|_| {
            Error::OAuth(
                OAuthError::new(OAuthErrorKind::ServerError)
                    .debug("the system random number generator failed"),
            )
        })?;
        for b in buf {
            if code.len() == length {
                break;
            }
            if b < 240 {
                let index = usize::from(b) % ALPHABET.len();
                if let Some(c) = ALPHABET.get(index) {
                    code.push(char::from(*c));
                }
            }
        }
    }
    Ok(code)
}

/// The code as shown to the user: `BCDF-GHJK` (a dash in the middle).
pub fn display(normalised: &str) -> String {
    let middle = normalised.len() / 2;
    match (normalised.get(..middle), normalised.get(middle..)) {
        (Some(head), Some(tail)) if !head.is_empty() => format!("{head}-{tail}"),
        _ => normalised.to_owned(),
    }
}

/// What a user typed, normalised for lookup: upper-cased, with dashes and whitespace removed;
/// `None` unless exactly `length` characters of the alphabet remain.
pub fn normalise(typed: &str, length: usize) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = code.len() == length && code.bytes().all(|b| ALPHABET.contains(&b));
    valid.then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_use_only_the_alphabet() {
        for length in [MIN_LENGTH, 8, MAX_LENGTH] {
            let code = generate(length).unwrap();
            assert_eq!(code.len(), length);
            assert!(code.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
            assert!(!code.bytes().any(|b| b"AEIOUY0O1l".contains(&b)));
        }
        assert_ne!(generate(8).unwrap(), generate(8).unwrap());
    }

    #[test]
    fn reading_back_ignores_case_dashes_and_spaces() {
        assert_eq!(display("BCDFGHJK"), "BCDF-GHJK");
        assert_eq!(normalise("bcdf-ghjk", 8).as_deref(), Some("BCDFGHJK"));
        assert_eq!(normalise(" BcDf GhJk ", 8).as_deref(), Some("BCDFGHJK"));
        assert_eq!(normalise("BCDF-GHJ", 8), None);
        assert_eq!(normalise("BCDF-GHJKL", 8), None);
        assert_eq!(
            normalise("ABCD-EFGH", 8),
            None,
            "vowels are not in the alphabet"
        );
        assert_eq!(normalise("BCDF-GHJ1", 8), None);
        assert_eq!(normalise("ßCDF-GHJK", 8), None);
    }
}
