//! Where configuration values come from: the environment (canonical names, then aliases) and
//! command-line flags, read through one [`Reader`] that records every problem it meets.

use super::keys::{
    self, IGNORED_HYDRA_KEYS, NON_SERVER_OXYDRA_KEYS, TEST_PREFIX, V010_ONLY_ALIASES,
};
use std::collections::BTreeMap;

/// A source of environment variables; tests inject a map instead of mutating the process.
pub trait EnvSource {
    /// The value of `key`, if set.
    fn get(&self, key: &str) -> Option<String>;
    /// Every variable name that is set.
    fn keys(&self) -> Vec<String>;
}

/// The process environment (`std::env`). Variables whose name or value is not UTF-8 are skipped.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn get(&self, key: &str) -> Option<String> {
        std::env::var(key).ok()
    }

    fn keys(&self) -> Vec<String> {
        std::env::vars_os()
            .filter_map(|(k, _)| k.into_string().ok())
            .collect()
    }
}

impl EnvSource for BTreeMap<String, String> {
    fn get(&self, key: &str) -> Option<String> {
        BTreeMap::get(self, key).cloned()
    }

    fn keys(&self) -> Vec<String> {
        BTreeMap::keys(self).cloned().collect()
    }
}

/// A value and the name it was read under, for messages.
#[derive(Debug, Clone)]
pub(crate) struct Value {
    /// The text as given (untrimmed, so secrets keep every byte).
    pub text: String,
    /// `PUBLIC_PORT`, `SERVE_PUBLIC_PORT (alias of PUBLIC_PORT)` or `PUBLIC_PORT (flag)`.
    pub source: String,
    /// The variable actually read (the canonical name for flags).
    pub name: String,
}

/// Reads keys with precedence flag > canonical variable > aliases, collecting problems and
/// warnings instead of stopping at the first.
pub(crate) struct Reader<'a, E: EnvSource + ?Sized> {
    env: &'a E,
    flags: &'a [(&'a str, String)],
    /// Fatal findings, one line each.
    pub problems: Vec<String>,
    /// Non-fatal findings, one line each.
    pub warnings: Vec<String>,
    /// Whether the 0.10-only aliases ([`V010_ONLY_ALIASES`]) are read.
    pub v010: bool,
}

impl<'a, E: EnvSource + ?Sized> Reader<'a, E> {
    /// A reader over `env` and `flags` (keyed by canonical variable name). Call
    /// [`Reader::scan_environment`] once [`Reader::v010`] is decided.
    pub fn new(env: &'a E, flags: &'a [(&'a str, String)]) -> Self {
        let mut reader = Self {
            env,
            flags,
            problems: Vec::new(),
            warnings: Vec::new(),
            v010: false,
        };
        for (name, _) in flags {
            if keys::find(name).is_none() {
                reader
                    .problems
                    .push(format!("{name}: not a configuration key a flag can set"));
            }
        }
        reader
    }

    /// The names `key` is read under, canonical first, without the 0.10-only aliases unless
    /// [`Reader::v010`].
    fn names(&self, doc: &'static keys::KeyDoc) -> impl Iterator<Item = &'static str> + '_ {
        std::iter::once(doc.name).chain(
            doc.aliases
                .iter()
                .copied()
                .filter(|a| self.v010 || !V010_ONLY_ALIASES.contains(a)),
        )
    }

    /// Whether `key` is given at all (flag, canonical name or alias), without reading it.
    pub fn is_set(&self, key: &str) -> bool {
        let Some(doc) = keys::find(key) else {
            return false;
        };
        self.flags.iter().any(|(name, v)| *name == key && !blank(v))
            || self
                .names(doc)
                .any(|name| self.env.get(name).is_some_and(|v| !blank(&v)))
    }

    /// Records a problem attributed to `source`.
    pub fn problem(&mut self, source: &str, message: impl std::fmt::Display) {
        self.problems.push(format!("{source}: {message}"));
    }

    /// The value of `key`; blank values count as unset.
    pub fn raw(&mut self, key: &str) -> Option<Value> {
        let Some(doc) = keys::find(key) else {
            self.problems
                .push(format!("{key}: read but not documented in keys() (a bug)"));
            return None;
        };
        if let Some((_, text)) = self
            .flags
            .iter()
            .rev()
            .find(|(name, v)| *name == key && !blank(v))
        {
            return Some(Value {
                text: text.clone(),
                source: format!("{key} (flag)"),
                name: key.to_owned(),
            });
        }
        let names: Vec<&'static str> = self.names(doc).collect();
        let set = |name: &str| self.env.get(name).filter(|v| !blank(v));
        let mut found: Option<Value> = None;
        for name in names {
            let Some(text) = set(name) else { continue };
            match &found {
                None => {
                    let source = if name == key {
                        key.to_owned()
                    } else {
                        format!("{name} (alias of {key})")
                    };
                    found = Some(Value {
                        text,
                        source,
                        name: name.to_owned(),
                    });
                }
                Some(winner) if winner.text != text => self.warnings.push(format!(
                    "{name} is ignored because {} is set to a different value",
                    winner.source
                )),
                Some(_) => {}
            }
        }
        found
    }

    /// Parses the trimmed value with `parse`; on failure records the problem and returns `default`.
    pub fn parse<T>(
        &mut self,
        key: &str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> T {
        let Some(value) = self.raw(key) else {
            return default;
        };
        match parse(value.text.trim()) {
            Ok(parsed) => parsed,
            Err(message) => {
                self.problem(&value.source, message);
                default
            }
        }
    }

    /// The default of `key` as the key table documents it (`""` for an undocumented key,
    /// which [`Reader::raw`] reports).
    pub fn documented_default(&self, key: &str) -> &'static str {
        keys::find(key).map_or("", |doc| doc.default)
    }

    /// Like [`Reader::parse`], the default being the key table's, parsed with the same
    /// `parse` as a value: each default is written once, in the table. A table default that
    /// does not parse is a bug, recorded as a problem (so the configuration is refused, and
    /// the test loading a default configuration fails) with `T::default()` standing in.
    pub fn parse_documented<T: Default>(
        &mut self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> T {
        let default = match keys::find(key).map(|doc| (doc.default, parse(doc.default))) {
            Some((_, Ok(parsed))) => parsed,
            Some((text, Err(message))) => {
                self.problems.push(format!(
                    "{key}: the documented default {text:?} does not parse: {message} (a bug)"
                ));
                T::default()
            }
            None => T::default(),
        };
        self.parse(key, default, parse)
    }

    /// A boolean ([`parse_bool`]) defaulting to the key table's.
    pub fn bool_documented(&mut self, key: &str) -> bool {
        self.parse_documented(key, parse_bool)
    }

    /// A TCP port ([`parse_port`]) defaulting to the key table's.
    pub fn port_documented(&mut self, key: &str) -> u16 {
        self.parse_documented(key, parse_port)
    }

    /// A trimmed string defaulting to the key table's.
    pub fn string_documented(&mut self, key: &str) -> String {
        self.parse_documented(key, |s| Ok(s.trim().to_owned()))
    }

    /// A comma-separated list ([`split_list`]) defaulting to the key table's.
    pub fn list_documented(&mut self, key: &str) -> Vec<String> {
        self.list(key)
            .unwrap_or_else(|| split_list(self.documented_default(key)))
    }

    /// A comma-separated list, entries trimmed and empty ones dropped; `None` when unset.
    pub fn list(&mut self, key: &str) -> Option<Vec<String>> {
        self.raw(key).map(|v| split_list(&v.text))
    }

    /// Records warnings about variables that are set but not read (once, after [`Reader::v010`]
    /// is decided).
    pub fn scan_environment(&mut self) {
        let mut names = self.env.keys();
        names.sort();
        for name in names {
            if name.starts_with("OXYDRA_")
                && !keys::is_known(&name)
                && !NON_SERVER_OXYDRA_KEYS.contains(&name.as_str())
                && !name.starts_with(TEST_PREFIX)
            {
                self.warnings.push(format!(
                    "{name} is not an Oxydra setting and is ignored (see docs/configuration.md)"
                ));
            }
            let read_anyway = self.v010 && V010_ONLY_ALIASES.contains(&name.as_str());
            if let Some((_, why)) = IGNORED_HYDRA_KEYS.iter().find(|(k, _)| *k == name)
                && !read_anyway
            {
                self.warnings.push(format!("{name} is ignored: {why}"));
            }
        }
    }
}

/// Whether a value is empty or whitespace only.
fn blank(value: &str) -> bool {
    value.trim().is_empty()
}

/// Parses `true`/`false`/`1`/`0`/`t`/`f`, case-insensitive (what Go's `strconv.ParseBool` takes).
pub(crate) fn parse_bool(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "1" | "t" => Ok(true),
        "false" | "0" | "f" => Ok(false),
        _ => Err(format!("{s:?} is not a boolean (true/false/1/0)")),
    }
}

/// Parses a TCP port (0 = any free port).
pub(crate) fn parse_port(s: &str) -> Result<u16, String> {
    s.parse()
        .map_err(|_| format!("{s:?} is not a port (0 to 65535)"))
}

/// Splits a comma list, trimming entries and dropping empty ones.
pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}
