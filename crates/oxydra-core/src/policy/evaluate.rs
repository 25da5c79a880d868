//! Compiled policies and the decision over a set of them.

use std::collections::{BTreeMap, HashMap};

use super::template::Matcher;
use super::{Condition, Effect, Policy};
use crate::error::Error;

/// One access request: who wants to do what to which resource, and facts about it.
#[derive(Debug, Clone, Copy)]
pub struct AccessRequest<'a> {
    /// The subject asking (for a bearer token: its `sub`, e.g. a client id).
    pub subject: &'a str,
    /// The action (`get`, `create`, ...).
    pub action: &'a str,
    /// The resource name (`rn:hydra:clients:my-app`).
    pub resource: &'a str,
    /// Context values conditions look at (`owner`, ...).
    pub context: &'a BTreeMap<String, serde_json::Value>,
}

/// The outcome of evaluating a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A matching policy allows it and none denies it.
    Allowed,
    /// No matching policy allows it (Ladon's default deny).
    NotAllowed,
    /// A matching policy denies it, whatever allows it (Ladon's "forcefully denied").
    Denied {
        /// The id of the denying policy.
        policy: String,
    },
}

/// A policy with its patterns compiled once.
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    id: String,
    effect: Effect,
    subjects: Vec<Matcher>,
    resources: Vec<Matcher>,
    actions: Vec<Matcher>,
    conditions: Vec<(String, Condition)>,
}

impl CompiledPolicy {
    /// Compiles every pattern of `policy`; an invalid one is `Error::Invalid`.
    pub fn compile(policy: &Policy) -> Result<Self, Error> {
        let list = |field: &'static str, items: &[String]| {
            items
                .iter()
                .map(|t| Matcher::compile(t).map_err(|e| Error::invalid(field, e)))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Self {
            id: policy.id.clone(),
            effect: policy.effect,
            subjects: list("subjects", &policy.subjects)?,
            resources: list("resources", &policy.resources)?,
            actions: list("actions", &policy.actions)?,
            conditions: policy
                .conditions
                .iter()
                .map(|(k, c)| (k.clone(), c.clone()))
                .collect(),
        })
    }

    /// Whether this policy applies to `request`: actions first (cheapest), then subjects,
    /// resources and conditions, as Ladon orders them.
    pub fn applies_to(&self, request: &AccessRequest<'_>) -> bool {
        any(&self.actions, request.action)
            && any(&self.subjects, request.subject)
            && any(&self.resources, request.resource)
            && self.conditions.iter().all(|(key, condition)| {
                condition.fulfilled_by(request.context.get(key), request.subject)
            })
    }

    /// The policy's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

fn any(matchers: &[Matcher], value: &str) -> bool {
    matchers.iter().any(|m| m.matches(value))
}

/// Every policy, compiled, indexed so a request only looks at the policies that can name its
/// subject: those listing it literally, plus those with a subject template.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    policies: Vec<CompiledPolicy>,
    /// Literal subject → indices of policies whose subjects are all literals.
    by_subject: HashMap<String, Vec<usize>>,
    /// Indices of policies with at least one subject template.
    templated: Vec<usize>,
}

impl PolicySet {
    /// Compiles and indexes `policies`.
    pub fn new(policies: &[Policy]) -> Result<Self, Error> {
        let mut set = Self::default();
        for policy in policies {
            let compiled = CompiledPolicy::compile(policy)?;
            let index = set.policies.len();
            let literals: Option<Vec<&str>> =
                compiled.subjects.iter().map(Matcher::literal).collect();
            match literals {
                Some(subjects) => {
                    for subject in subjects {
                        let entry = set.by_subject.entry(subject.to_owned()).or_default();
                        if entry.last() != Some(&index) {
                            entry.push(index);
                        }
                    }
                }
                None => set.templated.push(index),
            }
            set.policies.push(compiled);
        }
        Ok(set)
    }

    /// How many policies the set holds.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    /// Whether the set holds no policy.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Decides `request`: any applicable deny wins, else any applicable allow, else not allowed.
    pub fn decide(&self, request: &AccessRequest<'_>) -> Decision {
        let literal = self
            .by_subject
            .get(request.subject)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut allowed = false;
        for &index in literal.iter().chain(&self.templated) {
            let Some(policy) = self.policies.get(index) else {
                continue;
            };
            if !policy.applies_to(request) {
                continue;
            }
            match policy.effect {
                Effect::Deny => {
                    return Decision::Denied {
                        policy: policy.id.clone(),
                    };
                }
                Effect::Allow => allowed = true,
            }
        }
        if allowed {
            Decision::Allowed
        } else {
            Decision::NotAllowed
        }
    }
}
