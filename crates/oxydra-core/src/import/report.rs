//! What an import did, kind by kind: how many rows came over, how many were already there (a
//! second run imports nothing), and each row left behind with the reason.

use std::fmt;

/// One row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// What the row is (a client id, a key's set and kid, a token's request id).
    pub what: String,
    /// Why it stays behind.
    pub reason: String,
}

/// The outcome for one kind of row (clients, keys, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindReport {
    /// Rows written (or, in a dry run, that would be).
    pub imported: usize,
    /// Rows already in Oxydra under the same key: left as they are.
    pub present: usize,
    /// Rows not imported, with the reason.
    pub skipped: Vec<Skipped>,
    /// Remarks that do not stop a row (fields Oxydra has no place for).
    pub notes: Vec<String>,
}

impl KindReport {
    /// Records a row left behind.
    pub fn skip(&mut self, what: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(Skipped {
            what: what.into(),
            reason: reason.into(),
        });
    }

    /// Counts the outcome of a write: `true` written, `false` already present.
    pub fn count(&mut self, written: &[bool]) {
        for w in written {
            if *w {
                self.imported += 1;
            } else {
                self.present += 1;
            }
        }
    }
}

/// The whole import's outcome, in the order the kinds are written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// The source's schema generation, as detected.
    pub generation: String,
    /// Whether nothing was written (`--dry-run`).
    pub dry_run: bool,
    /// Each kind with its outcome.
    pub kinds: Vec<(&'static str, KindReport)>,
}

impl ImportReport {
    /// Whether the run wrote (or would write) nothing at all.
    pub fn changed_nothing(&self) -> bool {
        self.kinds.iter().all(|(_, k)| k.imported == 0)
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "would import"
        } else {
            "imported"
        };
        writeln!(f, "source: Hydra {}", self.generation)?;
        for (name, kind) in &self.kinds {
            if kind.imported + kind.present + kind.skipped.len() == 0 {
                writeln!(f, "{name}: none in the source")?;
            } else {
                writeln!(
                    f,
                    "{name}: {verb} {}, already present {}, skipped {}",
                    kind.imported,
                    kind.present,
                    kind.skipped.len()
                )?;
            }
            for s in &kind.skipped {
                writeln!(f, "  skipped {}: {}", s.what, s.reason)?;
            }
            for note in &kind.notes {
                writeln!(f, "  note: {note}")?;
            }
        }
        if self.changed_nothing() {
            writeln!(
                f,
                "nothing changed: everything importable is already in Oxydra"
            )?;
        } else if self.dry_run {
            writeln!(f, "dry run: nothing was written")?;
        }
        Ok(())
    }
}
