//! Scope parsing and matching (RFC 6749 §3.3, `shared/spec/behaviour.md` §5.4).
//!
//! A client's registered `scope` lists what it may request; each requested scope must be matched
//! by one allowed scope under the configured [`ScopeStrategy`]:
//! - **wildcard** (default): exact match; a `*` segment matches one non-empty segment, and a
//!   trailing `*` matches one or more further non-empty segments (`a.*` matches `a.b` and
//!   `a.b.c`, not `a`, `a.` or `a..b`); a lone `*` matches any non-empty scope.
//! - **hierarchical** (deprecated): `a` also covers every `a.<more>` below it.

use crate::config::ScopeStrategy;

/// RFC 6749 §3.3: `scope = scope-token *( SP scope-token )`. Splits on spaces, dropping empty
/// tokens (so doubled or trailing spaces are harmless); order is kept, duplicates are not removed.
pub fn split(scope: &str) -> Vec<&str> {
    scope.split(' ').filter(|s| !s.is_empty()).collect()
}

/// The inverse of [`split`]: joins scopes with single spaces, skipping empty ones.
pub fn join<I, S>(scopes: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = String::new();
    for s in scopes {
        let s = s.as_ref();
        if s.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(s);
    }
    out
}

/// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )` — printable ASCII except space,
/// `"` and `\`.
pub fn is_scope_token(token: &str) -> bool {
    !token.is_empty()
        && token
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// Whether the single allowed scope `allowed` grants the single requested scope `requested`.
pub fn scope_matches(strategy: ScopeStrategy, allowed: &str, requested: &str) -> bool {
    if allowed.is_empty() || requested.is_empty() {
        return false;
    }
    if allowed == requested {
        return true;
    }
    match strategy {
        ScopeStrategy::Wildcard => wildcard(allowed, requested),
        ScopeStrategy::Hierarchical => hierarchical(allowed, requested),
    }
}

/// Checks every requested scope against the allowed list; returns the first one no allowed scope
/// matches (for an `invalid_scope` hint).
pub fn all_allowed(
    strategy: ScopeStrategy,
    allowed: &[&str],
    requested: &[&str],
) -> Result<(), String> {
    match requested
        .iter()
        .find(|r| !allowed.iter().any(|a| scope_matches(strategy, a, r)))
    {
        Some(denied) => Err((*denied).to_owned()),
        None => Ok(()),
    }
}

/// Wildcard strategy, segment by segment on `.`.
fn wildcard(allowed: &str, requested: &str) -> bool {
    if allowed == "*" {
        return true;
    }
    let pattern: Vec<&str> = allowed.split('.').collect();
    let segments: Vec<&str> = requested.split('.').collect();
    let Some((last, head)) = pattern.split_last() else {
        return false;
    };
    if segments.len() < pattern.len() {
        return false;
    }
    let head_ok = head
        .iter()
        .zip(&segments)
        .all(|(p, s)| segment_matches(p, s));
    let tail = segments.get(head.len()..).unwrap_or_default();
    let tail_ok = if *last == "*" {
        // One or more further segments, each non-empty.
        !tail.is_empty() && tail.iter().all(|s| !s.is_empty())
    } else {
        matches!(tail, [only] if segment_matches(last, only))
    };
    head_ok && tail_ok
}

/// One pattern segment: `*` matches any non-empty segment, anything else only itself.
fn segment_matches(pattern: &str, segment: &str) -> bool {
    if pattern == "*" {
        !segment.is_empty()
    } else {
        pattern == segment
    }
}

/// Deprecated hierarchical strategy: `a` covers `a.b` and `a.b.c` (each further segment non-empty).
fn hierarchical(allowed: &str, requested: &str) -> bool {
    requested
        .strip_prefix(allowed)
        .and_then(|rest| rest.strip_prefix('.'))
        .is_some_and(|rest| rest.split('.').all(|s| !s.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: ScopeStrategy = ScopeStrategy::Wildcard;
    const H: ScopeStrategy = ScopeStrategy::Hierarchical;

    #[test]
    fn wildcard_table() {
        let table: &[(&str, &str, bool)] = &[
            ("a", "a", true),
            ("a.b", "a.b", true),
            ("a", "a.b", false),
            ("a.b", "a", false),
            ("a", "ab", false),
            ("a.*", "a.b", true),
            ("a.*", "a.b.c", true),
            ("a.*", "a", false),
            ("a.*", "a.", false),
            ("a.*", "a..b", false),
            ("a.*", "a.b.", false),
            ("a.*", "ab.c", false),
            ("a.*", "b.a", false),
            ("a.*", "a.*", true),
            ("a.b.*", "a.b.c", true),
            ("a.b.*", "a.c.d", false),
            ("a.b.*", "a.b", false),
            ("a.*.c", "a.b.c", true),
            ("a.*.c", "a..c", false),
            ("a.*.c", "a.b.d", false),
            ("a.*.c", "a.b.c.d", false),
            ("*.b", "a.b", true),
            ("*.b", "b", false),
            ("*", "a", true),
            ("*", "a.b.c", true),
            ("*", "openid", true),
            ("*", "", false),
            ("", "", false),
            ("", "a", false),
            ("a", "", false),
            ("photos.read", "photos.write", false),
            ("offline", "offline_access", false),
        ];
        for (allowed, requested, want) in table {
            assert_eq!(
                scope_matches(W, allowed, requested),
                *want,
                "wildcard: {allowed:?} vs {requested:?}"
            );
        }
    }

    #[test]
    fn hierarchical_table() {
        let table: &[(&str, &str, bool)] = &[
            ("a", "a", true),
            ("a", "a.b", true),
            ("a", "a.b.c", true),
            ("a.b", "a.b.c", true),
            ("a.b", "a", false),
            ("a", "ab", false),
            ("a", "a.", false),
            ("a", "a..b", false),
            ("a", "b.a", false),
            ("a.*", "a.b", false),
            ("*", "a", false),
            ("", "a", false),
            ("a", "", false),
        ];
        for (allowed, requested, want) in table {
            assert_eq!(
                scope_matches(H, allowed, requested),
                *want,
                "hierarchical: {allowed:?} vs {requested:?}"
            );
        }
    }

    #[test]
    fn all_allowed_reports_the_first_denied_scope() {
        let allowed = ["openid", "offline", "photos.*"];
        assert_eq!(all_allowed(W, &allowed, &[]), Ok(()));
        assert_eq!(
            all_allowed(W, &allowed, &["openid", "photos.read", "offline"]),
            Ok(())
        );
        assert_eq!(
            all_allowed(W, &allowed, &["openid", "email", "photos", "x"]),
            Err("email".to_owned())
        );
        assert_eq!(
            all_allowed(W, &allowed, &["photos"]),
            Err("photos".to_owned())
        );
        assert_eq!(all_allowed(H, &["photos"], &["photos.read"]), Ok(()));
        assert_eq!(
            all_allowed(W, &["photos"], &["photos.read"]),
            Err("photos.read".to_owned())
        );
        assert_eq!(all_allowed(W, &[], &["a"]), Err("a".to_owned()));
    }

    #[test]
    fn split_and_join() {
        let table: &[(&str, &[&str])] = &[
            ("", &[]),
            ("   ", &[]),
            ("openid", &["openid"]),
            ("openid offline", &["openid", "offline"]),
            ("  openid   offline  ", &["openid", "offline"]),
            ("a a", &["a", "a"]),
            ("a\tb", &["a\tb"]),
        ];
        for (raw, want) in table {
            assert_eq!(split(raw), *want, "{raw:?}");
        }
        assert_eq!(join(["openid", "", "offline"]), "openid offline");
        assert_eq!(join(Vec::<String>::new()), "");
        assert_eq!(join(split(" a  b ")), "a b");
        assert_eq!(join(vec!["x".to_owned()]), "x");
    }

    #[test]
    fn scope_token_charset() {
        for ok in ["openid", "a.b", "https://api.example.com/read", "!#[]~"] {
            assert!(is_scope_token(ok), "{ok:?}");
        }
        for bad in ["", "a b", "a\"b", "a\\b", "é", "a\tb", "a\u{7f}"] {
            assert!(!is_scope_token(bad), "{bad:?}");
        }
    }
}
