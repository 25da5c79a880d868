//! How a statement runs on MySQL/MariaDB when its portable text does not, and that text with
//! MySQL's `?` placeholders.
//!
//! MySQL binds `?` by position, so `$N` style text becomes `?`s plus the argument index each
//! one takes: a `$N` used twice, or out of order, binds that argument again at each place.

/// The MySQL/MariaDB way of running one store statement (see `Stmt::mysql_form`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum MySqlForm {
    /// Replacement text, run as one statement.
    Text(&'static str),
    /// An `UPDATE … RETURNING`, which MariaDB lacks: the portable text without its
    /// `RETURNING` clause, then — only when it changed a row — `select`, which reads that row by
    /// the key among the same arguments. Both run in one transaction, in which the update's row
    /// lock is held, so the row read is the row written. The conditional `UPDATE` alone decides
    /// between concurrent callers, as on PostgreSQL: InnoDB re-reads a row after waiting for
    /// its lock and re-checks the condition, so exactly one of them changes it.
    UpdateThenSelect {
        /// Reads the changed row (by its key) with the columns the `RETURNING` named.
        select: &'static str,
    },
    /// An `INSERT … ON CONFLICT DO UPDATE … WHERE`, whose result MySQL's affected-row counts
    /// cannot report: `delete` first removes the existing row where the condition allows
    /// replacing it, then `insert` runs, and a duplicate key on it counts as no row affected.
    /// In one transaction; a concurrent insert of the same key waits for this one's commit and
    /// then meets the duplicate.
    DeleteThenInsert {
        /// Deletes the row the insert may replace.
        delete: &'static str,
        /// The plain insert.
        insert: &'static str,
    },
}

/// One statement text with `?` placeholders and the argument index of each.
#[derive(Debug)]
pub(crate) struct Bound {
    /// The text to send.
    pub(crate) sql: String,
    /// For each `?` in order, the index into the argument slice.
    pub(crate) order: Vec<usize>,
}

impl Bound {
    /// Rewrites `$N` placeholders (1-based) to `?`.
    pub(crate) fn new(sql: &str) -> Self {
        let mut out = String::with_capacity(sql.len());
        let mut order = Vec::new();
        let mut chars = sql.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if c != '$' || !chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) {
                out.push(c);
                continue;
            }
            let mut n = 0usize;
            while let Some((_, d)) = chars.peek().copied().filter(|(_, d)| d.is_ascii_digit()) {
                n = n * 10 + d.to_digit(10).map_or(0, |d| d as usize);
                chars.next();
            }
            out.push('?');
            order.push(n.saturating_sub(1));
        }
        Self { sql: out, order }
    }
}

/// A [`MySqlForm`] with its texts rewritten, made once per statement.
#[derive(Debug)]
pub(crate) enum Prepared {
    /// One statement.
    One(Bound),
    /// See [`MySqlForm::UpdateThenSelect`].
    UpdateThenSelect {
        /// The update, without `RETURNING`.
        update: Bound,
        /// The read of the changed row.
        select: Bound,
    },
    /// See [`MySqlForm::DeleteThenInsert`].
    DeleteThenInsert {
        /// The delete of a replaceable row.
        delete: Bound,
        /// The insert.
        insert: Bound,
    },
}

impl Prepared {
    /// The form of a statement whose portable text is `portable`.
    pub(crate) fn new(form: Option<MySqlForm>, portable: &str) -> Self {
        match form {
            None => Self::One(Bound::new(portable)),
            Some(MySqlForm::Text(sql)) => Self::One(Bound::new(sql)),
            Some(MySqlForm::UpdateThenSelect { select }) => {
                let update = portable
                    .rsplit_once(" RETURNING ")
                    .map_or(portable, |(update, _)| update);
                Self::UpdateThenSelect {
                    update: Bound::new(update),
                    select: Bound::new(select),
                }
            }
            Some(MySqlForm::DeleteThenInsert { delete, insert }) => Self::DeleteThenInsert {
                delete: Bound::new(delete),
                insert: Bound::new(insert),
            },
        }
    }

    /// Whether it sends more than one statement, and so needs a transaction of its own when
    /// run outside one.
    pub(crate) fn is_multi(&self) -> bool {
        !matches!(self, Self::One(_))
    }

    /// Every text it sends, for the statement test.
    pub(crate) fn texts(&self) -> Vec<&str> {
        match self {
            Self::One(one) => vec![&one.sql],
            Self::UpdateThenSelect { update, select } => vec![&update.sql, &select.sql],
            Self::DeleteThenInsert { delete, insert } => vec![&delete.sql, &insert.sql],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_positional_with_their_arguments() {
        let b = Bound::new("UPDATE t SET a = $2, b = $10 WHERE c = $1 AND (d = $2 OR '$' = $3)");
        assert_eq!(
            b.sql,
            "UPDATE t SET a = ?, b = ? WHERE c = ? AND (d = ? OR '$' = ?)"
        );
        assert_eq!(b.order, vec![1, 9, 0, 1, 2]);
    }

    #[test]
    fn update_returning_loses_its_returning_clause() {
        let form = MySqlForm::UpdateThenSelect {
            select: "SELECT x FROM t WHERE k = $1",
        };
        let Prepared::UpdateThenSelect { update, select } =
            Prepared::new(Some(form), "UPDATE t SET x = $2 WHERE k = $1 RETURNING x")
        else {
            panic!("wrong form");
        };
        assert_eq!(update.sql, "UPDATE t SET x = ? WHERE k = ?");
        assert_eq!(update.order, vec![1, 0]);
        assert_eq!(select.sql, "SELECT x FROM t WHERE k = ?");
        assert_eq!(select.order, vec![0]);
    }
}
