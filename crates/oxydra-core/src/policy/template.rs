//! Ladon's pattern templates: a subject, resource or action in a policy is either a literal
//! (compared byte for byte) or a template whose `<…>` parts are regular expressions, e.g.
//! `rn:hydra:clients:<[a-z0-9-]+>`.
//!
//! Semantics (checked against ory/ladon's matcher and compiler, all versions up to 1.x):
//! - a value without `<` is a literal: an exact, **case-sensitive** comparison (Ladon's README:
//!   "all checks are case sensitive because subject values could be case sensitive IDs");
//! - otherwise the top-level `<…>` pairs (nesting counted, so `<a<b>c>` is one part) are
//!   regexes, everything between them is literal text (regex-escaped), and the whole value is
//!   anchored: `^literal(regex)literal…$`; unbalanced delimiters are an error;
//! - each part must be a valid regex on its own, so a part cannot escape its group
//!   (`<.*)|(.*>` is refused, as Ladon's per-part compile refuses it).
//!
//! Hostile patterns cannot exhaust memory: the `regex` crate matches in linear time, and each
//! template is bounded in length and in compiled size.

use regex::{Regex, RegexBuilder};

/// Longest accepted template, in bytes.
pub const MAX_TEMPLATE_LEN: usize = 1024;
/// Compiled-program size limit of one template's regex (the `regex` crate's `size_limit`).
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;
/// Lazy-DFA cache limit of one template's regex (`dfa_size_limit`).
pub const REGEX_DFA_SIZE_LIMIT: usize = 256 * 1024;

/// Opening delimiter of a regex part.
const START: char = '<';
/// Closing delimiter of a regex part.
const END: char = '>';

/// One compiled subject, resource or action pattern.
#[derive(Debug, Clone)]
pub(crate) enum Matcher {
    /// No `<`: exact comparison.
    Literal(String),
    /// A template compiled to an anchored regex.
    Template(Regex),
}

impl Matcher {
    /// Compiles `template`, or says why it is not a valid pattern.
    pub(crate) fn compile(template: &str) -> Result<Self, String> {
        if template.len() > MAX_TEMPLATE_LEN {
            return Err(format!(
                "the pattern is longer than {MAX_TEMPLATE_LEN} bytes"
            ));
        }
        if !template.contains(START) {
            return Ok(Self::Literal(template.to_owned()));
        }
        let mut pattern = String::with_capacity(template.len() + 8);
        pattern.push('^');
        for piece in split(template)? {
            match piece {
                Piece::Text(text) => pattern.push_str(&regex::escape(text)),
                Piece::Regex(part) => {
                    // A part must stand alone, so it cannot close or reopen the group around it.
                    build(part).map_err(|e| format!("the regex part <{part}> is invalid: {e}"))?;
                    pattern.push('(');
                    pattern.push_str(part);
                    pattern.push(')');
                }
            }
        }
        pattern.push('$');
        build(&pattern)
            .map(Self::Template)
            .map_err(|e| format!("the pattern {template:?} is invalid: {e}"))
    }

    /// Whether `value` matches.
    pub(crate) fn matches(&self, value: &str) -> bool {
        match self {
            Self::Literal(literal) => literal == value,
            Self::Template(regex) => regex.is_match(value),
        }
    }

    /// The literal, when this pattern is one (used to index policies by subject).
    pub(crate) fn literal(&self) -> Option<&str> {
        match self {
            Self::Literal(literal) => Some(literal),
            Self::Template(_) => None,
        }
    }
}

/// Compiles a regex within the size limits.
pub(crate) fn build(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
        .build()
}

/// A piece of a template.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'a> {
    /// Literal text between regex parts.
    Text(&'a str),
    /// The inside of one top-level `<…>`.
    Regex(&'a str),
}

/// Splits a template at its top-level delimiter pairs.
fn split(template: &str) -> Result<Vec<Piece<'_>>, String> {
    let unbalanced = || format!("the pattern {template:?} has unbalanced < and >");
    let mut pieces = Vec::new();
    let mut level = 0usize;
    let mut text_start = 0;
    let mut part_start = 0;
    for (i, c) in template.char_indices() {
        if c == START {
            level += 1;
            if level == 1 {
                if i > text_start {
                    pieces.push(Piece::Text(&template[text_start..i]));
                }
                part_start = i + c.len_utf8();
            }
        } else if c == END {
            level = level.checked_sub(1).ok_or_else(unbalanced)?;
            if level == 0 {
                pieces.push(Piece::Regex(&template[part_start..i]));
                text_start = i + c.len_utf8();
            }
        }
    }
    if level != 0 {
        return Err(unbalanced());
    }
    if text_start < template.len() {
        pieces.push(Piece::Text(&template[text_start..]));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(template: &str, value: &str) -> bool {
        Matcher::compile(template).unwrap().matches(value)
    }

    #[test]
    fn table_of_template_forms() {
        let cases: &[(&str, &str, bool)] = &[
            // Literals: exact and case-sensitive.
            ("rn:hydra:clients", "rn:hydra:clients", true),
            ("rn:hydra:clients", "RN:HYDRA:CLIENTS", false),
            ("rn:hydra:clients", "rn:hydra:clients:x", false),
            ("a.b", "axb", false),
            // `>` alone is literal text.
            ("a>b", "a>b", true),
            // Regex parts, anchored on both ends.
            ("<.*>", "", true),
            ("<.*>", "anything at all", true),
            ("rn:hydra:<.*>", "rn:hydra:clients:1", true),
            ("rn:hydra:<.*>", "xrn:hydra:clients", false),
            ("rn:hydra:clients:<[0-9]+>", "rn:hydra:clients:42", true),
            ("rn:hydra:clients:<[0-9]+>", "rn:hydra:clients:42x", false),
            ("rn:hydra:clients:<[0-9]+>", "rn:hydra:clients:", false),
            ("<get|list>", "get", true),
            ("<get|list>", "getlist", false),
            ("<get|list>", "xget", false),
            // Literal parts are escaped: `.` is a dot, not any character.
            ("a.b:<x>", "a.b:x", true),
            ("a.b:<x>", "axb:x", false),
            // Several parts and trailing text.
            ("u:<[a-z]+>:p:<[0-9]{2}>:end", "u:ab:p:12:end", true),
            ("u:<[a-z]+>:p:<[0-9]{2}>:end", "u:ab:p:123:end", false),
            // Nested delimiters form one part.
            ("x<a<b>c>", "xa<b>c", true),
            // Regex parts are case-sensitive too, unless they ask otherwise.
            ("<abc>", "ABC", false),
            ("<(?i)abc>", "ABC", true),
            // Unicode is matched as characters.
            ("ü<.>", "üß", true),
        ];
        for (template, value, expected) in cases {
            assert_eq!(
                matches(template, value),
                *expected,
                "{template:?} vs {value:?}"
            );
        }
    }

    #[test]
    fn invalid_templates_are_refused() {
        for template in [
            "<",
            ">x<",
            "a<b",
            "<a>>",
            "<[>",
            "<(>",
            // A part cannot break out of its group to undo the anchoring.
            "<.*)|(.*>",
        ] {
            assert!(Matcher::compile(template).is_err(), "{template:?}");
        }
        assert!(Matcher::compile(&"a".repeat(MAX_TEMPLATE_LEN + 1)).is_err());
        assert!(Matcher::compile(&"a".repeat(MAX_TEMPLATE_LEN)).is_ok());
    }

    #[test]
    fn oversized_regexes_are_refused() {
        // Tiny text, huge program: bounded repetition of a Unicode class.
        let err = Matcher::compile(r"<\w{1000}\w{1000}>").unwrap_err();
        assert!(err.contains("invalid"), "{err}");
    }

    #[test]
    fn literals_are_exposed_for_indexing() {
        assert_eq!(Matcher::compile("alice").unwrap().literal(), Some("alice"));
        assert_eq!(Matcher::compile("<alice>").unwrap().literal(), None);
    }
}
