//! The 1.0.0-alpha1 access-control policies (`shared/spec/behaviour.md` §16): the model, its
//! validation, and a Ladon-compatible evaluator.
//!
//! A request `{subject, action, resource, context}` is allowed when at least one policy whose
//! actions, subjects and resources each contain a match for it, and whose conditions all hold,
//! allows it — and no such policy denies it. Explicit deny wins; no match is a deny (Ladon's
//! `ErrRequestForcefullyDenied` / `ErrRequestDenied`). Matching is in [`template`]: literals
//! exactly, `<regex>` templates anchored, everything case-sensitive.

mod condition;
mod evaluate;
mod template;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use condition::{CONDITION_TYPES, Condition};
pub use evaluate::{AccessRequest, CompiledPolicy, Decision, PolicySet};
pub use template::{MAX_TEMPLATE_LEN, REGEX_DFA_SIZE_LIMIT, REGEX_SIZE_LIMIT};

use crate::error::Error;

/// Most entries one of a policy's subject, resource or action lists may hold.
pub const MAX_PATTERNS_PER_LIST: usize = 256;
/// Most conditions one policy may hold.
pub const MAX_CONDITIONS: usize = 64;
/// Longest policy id, in bytes.
pub const MAX_ID_LEN: usize = 255;

/// What a matching policy does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Grants the request unless another matching policy denies it.
    Allow,
    /// Refuses the request, whatever else allows it.
    Deny,
}

impl Effect {
    /// Parses `allow` or `deny` (Ladon's spellings; anything else is refused, where Ladon would
    /// silently treat it as deny).
    pub fn parse(raw: &str) -> Result<Self, Error> {
        match raw {
            "allow" => Ok(Self::Allow),
            "deny" => Ok(Self::Deny),
            other => Err(Error::invalid(
                "effect",
                format!("{other:?} is not an effect (allow or deny)"),
            )),
        }
    }

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
        }
    }
}

/// A stored access-control policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Unique id (a UUID v4 when the creator gave none).
    pub id: String,
    /// Free text.
    pub description: String,
    /// Who the policy is about: literals or `<regex>` templates.
    pub subjects: Vec<String>,
    /// Allow or deny.
    pub effect: Effect,
    /// What it is about: literals or templates (`rn:hydra:clients:<.*>`).
    pub resources: Vec<String>,
    /// Which actions: literals or templates (`<get|list>`).
    pub actions: Vec<String>,
    /// Conditions by request-context key; all must hold.
    pub conditions: BTreeMap<String, Condition>,
}

/// A policy as a caller sends it, before validation: strings as on the wire.
#[derive(Debug, Clone, Default)]
pub struct PolicyInput {
    /// `id`; empty on create means "generate one".
    pub id: String,
    /// `description`.
    pub description: String,
    /// `subjects`.
    pub subjects: Vec<String>,
    /// `effect`.
    pub effect: String,
    /// `resources`.
    pub resources: Vec<String>,
    /// `actions`.
    pub actions: Vec<String>,
    /// `conditions`: key → (`type`, `options`).
    pub conditions: Vec<(String, String, serde_json::Value)>,
}

impl PolicyInput {
    /// Validates into a policy: the effect, every pattern (compiled, within the size limits),
    /// every condition, and the id (which must be non-empty by now).
    pub fn validate(self) -> Result<Policy, Error> {
        check_id(&self.id)?;
        let effect = Effect::parse(&self.effect)?;
        for (field, list) in [
            ("subjects", &self.subjects),
            ("resources", &self.resources),
            ("actions", &self.actions),
        ] {
            if list.len() > MAX_PATTERNS_PER_LIST {
                return Err(Error::invalid(
                    field,
                    format!("at most {MAX_PATTERNS_PER_LIST} entries are allowed"),
                ));
            }
        }
        if self.conditions.len() > MAX_CONDITIONS {
            return Err(Error::invalid(
                "conditions",
                format!("at most {MAX_CONDITIONS} conditions are allowed"),
            ));
        }
        let mut conditions = BTreeMap::new();
        for (key, kind, options) in &self.conditions {
            let condition = Condition::parse(kind, options)
                .map_err(|e| Error::invalid("conditions", format!("{key:?}: {e}")))?;
            conditions.insert(key.clone(), condition);
        }
        let policy = Policy {
            id: self.id,
            description: self.description,
            subjects: self.subjects,
            effect,
            resources: self.resources,
            actions: self.actions,
            conditions,
        };
        CompiledPolicy::compile(&policy)?;
        Ok(policy)
    }
}

/// A pattern that matches exactly `value`: the value itself, or — when it contains `<`, which
/// would make it a template — a template whose one regex part matches it literally.
pub fn literal_pattern(value: &str) -> String {
    if !value.contains('<') {
        return value.to_owned();
    }
    // `regex::escape` leaves `<` and `>` alone; spell them as escapes so the template splitter
    // does not see them as delimiters.
    let escaped = regex::escape(value)
        .replace('<', r"\x3C")
        .replace('>', r"\x3E");
    format!("<{escaped}>")
}

/// An id must be non-empty, at most [`MAX_ID_LEN`] bytes, without control characters.
pub fn check_id(id: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(Error::invalid("id", "the policy id must not be empty"));
    }
    if id.len() > MAX_ID_LEN {
        return Err(Error::invalid(
            "id",
            format!("the policy id must be at most {MAX_ID_LEN} bytes"),
        ));
    }
    if id.chars().any(char::is_control) {
        return Err(Error::invalid(
            "id",
            "the policy id must not contain control characters",
        ));
    }
    Ok(())
}
