use super::*;

fn ok(raw: &str) -> MySqlDsn {
    parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
}

/// Host, port, user and database of a parsed DSN.
fn target(dsn: &MySqlDsn) -> (String, u16, String, Option<String>) {
    let o = &dsn.options;
    (
        o.get_host().to_owned(),
        o.get_port(),
        o.get_username().to_owned(),
        o.get_database().map(str::to_owned),
    )
}

fn expect(host: &str, port: u16, user: &str, db: &str) -> (String, u16, String, Option<String>) {
    (host.into(), port, user.into(), Some(db.into()))
}

#[test]
fn parses_hydras_go_form() {
    let dsn = ok("mysql://hydra:secret@tcp(db.internal:3307)/hydra?parseTime=true&max_conns=7");
    assert_eq!(target(&dsn), expect("db.internal", 3307, "hydra", "hydra"));
    assert_eq!(dsn.max_conns, Some(7));
    let dsn = ok("mysql://root@tcp(127.0.0.1)/test");
    assert_eq!(target(&dsn), expect("127.0.0.1", 3306, "root", "test"));
    let dsn = ok("mysql://u:p@tcp([::1]:3308)/db");
    assert_eq!(target(&dsn), expect("::1", 3308, "u", "db"));
    let dsn = ok("mysql://u:p@/db");
    assert_eq!(target(&dsn), expect("127.0.0.1", 3306, "u", "db"));
    let dsn = ok("mariadb://u@unix(/run/mysqld/mysqld.sock)/db");
    assert_eq!(
        dsn.options.get_socket(),
        Some(&std::path::PathBuf::from("/run/mysqld/mysqld.sock"))
    );
    assert_eq!(dsn.options.get_database(), Some("db"));
}

#[test]
fn go_form_takes_the_password_literally() {
    // Go's driver does not percent-decode, and a password may hold `@`, `:` and `/`.
    let dsn = ok("mysql://u:p@ss:w/rd%41@tcp(h:1)/db");
    assert_eq!(dsn.options.get_username(), "u");
    let shown = format!("{:?}", dsn.options);
    assert!(shown.contains("p@ss:w/rd%41"), "{shown}");
    assert_eq!(dsn.redacted, "mysql://u:***@tcp(h:1)/db");
}

#[test]
fn parses_the_url_form() {
    let dsn = ok("mysql://app:p%40ss@db.example:3310/oxydra?ssl-mode=disabled&max_conns=3");
    assert_eq!(target(&dsn), expect("db.example", 3310, "app", "oxydra"));
    assert_eq!(dsn.max_conns, Some(3));
    assert!(matches!(dsn.options.get_ssl_mode(), MySqlSslMode::Disabled));
    assert!(format!("{:?}", dsn.options).contains("p@ss"));
    assert_eq!(
        dsn.redacted,
        "mysql://app:***@db.example:3310/oxydra?ssl-mode=disabled&max_conns=3"
    );
    let dsn = ok("mysql://root@127.0.0.1/test");
    assert_eq!(target(&dsn), expect("127.0.0.1", 3306, "root", "test"));
    assert_eq!(dsn.redacted, "mysql://root@127.0.0.1/test");
}

#[test]
fn drops_go_parameters_and_maps_tls() {
    let dsn = ok("mysql://u@tcp(h)/db?parseTime=true&loc=Local&charset=utf8&timeout=5s&tls=false");
    assert!(matches!(dsn.options.get_ssl_mode(), MySqlSslMode::Disabled));
    // The connection keeps speaking utf8mb4 whatever `charset` said.
    assert_eq!(dsn.options.get_charset(), "utf8mb4");
    let dsn = ok("mysql://u@tcp(h)/db?tls=skip-verify&max_idle_conns=2&max_conn_lifetime=1h");
    assert!(matches!(dsn.options.get_ssl_mode(), MySqlSslMode::Required));
    let dsn = ok("mysql://u@tcp(h)/db?tls=true");
    assert!(matches!(
        dsn.options.get_ssl_mode(),
        MySqlSslMode::VerifyIdentity
    ));
}

#[test]
fn refuses_what_it_cannot_use() {
    for raw in [
        "mysql://u@tcp(h)/db?bogus=1",
        "mysql://u@tcp(h)/db?tls=custom",
        "mysql://u@tcp(h)/db?max_conns=0",
        "mysql://u@tcp(h)/",
        "mysql://u@tcp(h:x)/db",
        "mysql://u@tcp(h/db",
        "mysql://u@udp(h)/db",
        "mysql://u@host:3306",
        "mysql://u@host/a/b",
        "mysql:",
    ] {
        assert!(
            matches!(
                parse(raw),
                Err(DsnError::Invalid {
                    backend: Backend::Mysql,
                    ..
                })
            ),
            "{raw} was accepted"
        );
    }
}
