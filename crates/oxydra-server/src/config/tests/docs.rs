//! `docs/configuration.md` documents exactly the keys of `keys()`.

use std::collections::BTreeMap;

use crate::config::keys;

const DOC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/configuration.md");

fn doc() -> String {
    std::fs::read_to_string(DOC_PATH).unwrap_or_else(|e| panic!("cannot read {DOC_PATH}: {e}"))
}

/// Backticked names in a table cell: `` `A`, `B` `` → [A, B].
fn names(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The cells of a table row, split on `|` not escaped as `\|`, trimmed.
fn cells(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for c in line
        .trim()
        .trim_start_matches('|')
        .trim_end_matches('|')
        .chars()
    {
        match c {
            '|' if !escaped => cells.push(String::new()),
            _ => cells.last_mut().unwrap().push(c),
        }
        escaped = c == '\\';
    }
    cells.iter().map(|c| c.trim().to_owned()).collect()
}

/// Rows of the `Key | Aliases | Default | Meaning` table: key → aliases.
fn table_rows() -> BTreeMap<String, Vec<String>> {
    let doc = doc();
    let mut lines = doc
        .lines()
        .skip_while(|l| !l.starts_with("| Key | Aliases | Default | Meaning |"));
    assert!(
        lines.next().is_some(),
        "docs/configuration.md has no `| Key | Aliases | Default | Meaning |` table"
    );
    let mut rows = BTreeMap::new();
    for line in lines.skip(1).take_while(|l| l.starts_with('|')) {
        let cells = cells(line);
        assert!(cells.len() >= 4, "malformed row: {line}");
        let key = names(&cells[0]);
        assert_eq!(key.len(), 1, "the Key cell must hold one `NAME`: {line}");
        let previous = rows.insert(key[0].clone(), names(&cells[1]));
        assert!(previous.is_none(), "{} is documented twice", key[0]);
    }
    rows
}

#[test]
fn every_key_and_alias_is_documented_and_nothing_else() {
    let rows = table_rows();
    for key in keys() {
        let Some(aliases) = rows.get(key.name) else {
            panic!(
                "{} is missing from the table in docs/configuration.md",
                key.name
            );
        };
        let want: Vec<String> = key.aliases.iter().map(|a| (*a).to_owned()).collect();
        assert_eq!(
            aliases, &want,
            "aliases of {} differ between keys() and the doc",
            key.name
        );
    }
    for name in rows.keys() {
        assert!(
            keys().iter().any(|k| k.name == name),
            "docs/configuration.md documents {name}, which keys() does not know"
        );
    }
}

#[test]
fn every_serve_flag_is_documented() {
    let doc = doc();
    for flag in [
        "--database-url",
        "--dsn",
        "--dangerous-force-http",
        "--dev",
        "--auto-migrate",
        "--https-tls-cert-path",
        "--https-tls-key-path",
        "--public-host",
        "--public-port",
        "--admin-host",
        "--admin-port",
        "--issuer",
        "--janitor-interval",
        "--demo",
    ] {
        assert!(
            doc.contains(&format!("`{flag}")),
            "{flag} is not documented"
        );
    }
}

#[test]
fn key_table_is_well_formed() {
    let mut seen = std::collections::BTreeSet::new();
    for key in keys() {
        assert!(seen.insert(key.name), "{} listed twice", key.name);
        for alias in key.aliases {
            assert!(seen.insert(alias), "{alias} is used twice");
        }
        assert!(
            !key.meaning.is_empty() && !key.default.is_empty(),
            "{}",
            key.name
        );
    }
}
