//! The few SQL forms that differ between Hydra's two backends, so every read query is written
//! once: each column comes back as text or a 64-bit integer whatever its Hydra type, and times
//! as Unix microseconds (Hydra wrote UTC wall-clock times into `timestamp` columns).

/// The backend Hydra ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
}

impl Dialect {
    /// `expr` as a 64-bit integer.
    pub(super) fn int(self, expr: &str) -> String {
        match self {
            Dialect::Postgres => format!("CAST({expr} AS BIGINT)"),
            Dialect::Mysql => format!("CAST({expr} AS SIGNED)"),
        }
    }

    /// A boolean column as 0/1 (NULL counts as false).
    pub(super) fn flag(self, column: &str) -> String {
        self.int(&format!("CASE WHEN {column} THEN 1 ELSE 0 END"))
    }

    /// A `timestamp` column as Unix microseconds, read as UTC wall time (NULL stays NULL).
    pub(super) fn micros(self, column: &str) -> String {
        match self {
            Dialect::Postgres => self.int(&format!("EXTRACT(EPOCH FROM {column}) * 1000000")),
            Dialect::Mysql => self.int(&format!(
                "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', {column})"
            )),
        }
    }

    /// A text column, `''` when NULL.
    pub(super) fn text(self, column: &str) -> String {
        match self {
            Dialect::Postgres => format!("COALESCE(CAST({column} AS TEXT), '')"),
            Dialect::Mysql => format!("COALESCE(CAST({column} AS CHAR), '')"),
        }
    }

    /// The column names of `table` in the current schema/database.
    pub(super) fn columns_of(self, table: &str) -> String {
        let (name, schema) = match self {
            Dialect::Postgres => ("CAST(column_name AS TEXT)", "current_schema()"),
            Dialect::Mysql => ("CAST(column_name AS CHAR)", "DATABASE()"),
        };
        format!(
            "SELECT {name} FROM information_schema.columns WHERE table_schema = {schema} \
             AND table_name = '{table}'"
        )
    }

    /// Whether a table of this name exists in the current schema/database.
    pub(super) fn table_exists(self, table: &str) -> String {
        let schema = match self {
            Dialect::Postgres => "current_schema()",
            Dialect::Mysql => "DATABASE()",
        };
        format!(
            "SELECT {} FROM information_schema.tables WHERE table_schema = {schema} \
             AND table_name = '{table}'",
            self.int("COUNT(*)")
        )
    }
}
