use super::*;

fn url(raw: &str) -> Url {
    Url::parse(raw).unwrap()
}

#[test]
fn loopback_hosts_are_localhost_names_and_loopback_addresses() {
    for yes in [
        "http://localhost/",
        "http://LocalHost:8080/",
        "http://localhost./",
        "http://app.localhost/",
        "http://127.0.0.1/",
        "http://127.8.9.10/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
    ] {
        assert!(is_loopback_host(&url(yes)), "{yes}");
    }
    for no in [
        "http://evillocalhost/",
        "http://localhost.evil.example/",
        "http://localhostx/",
        "http://10.0.0.1/",
        "http://[::2]/",
        "urn:localhost",
    ] {
        assert!(!is_loopback_host(&url(no)), "{no}");
    }
}

#[test]
fn script_and_local_schemes_are_refused_in_any_case() {
    for bad in [
        "javascript:alert(1)",
        "JavaScript://app.example/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "blob:https://app.example/0b7ac9b8",
    ] {
        let e = parse_registered_url("redirect_uris", bad).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: "redirect_uris",
                    ..
                }
            ),
            "{bad}"
        );
        assert!(
            validate_redirect_uri("redirect_uris", bad).is_err(),
            "{bad}"
        );
    }
    for ok in [
        "https://app.example/cb",
        "com.example.app:/callback",
        "http://localhost/cb",
    ] {
        assert!(validate_redirect_uri("redirect_uris", ok).is_ok(), "{ok}");
    }
}

#[test]
fn sector_uris_are_https_or_loopback_http_in_development_only() {
    assert!(sector_uri_allowed(
        &url("https://sector.example/s.json"),
        false
    ));
    assert!(!sector_uri_allowed(
        &url("http://127.0.0.1:9/s.json"),
        false
    ));
    assert!(sector_uri_allowed(&url("http://127.0.0.1:9/s.json"), true));
    assert!(!sector_uri_allowed(
        &url("http://sector.example/s.json"),
        true
    ));
    assert!(!sector_uri_allowed(
        &url("ftp://sector.example/s.json"),
        true
    ));
}

#[test]
fn the_sector_document_must_list_every_redirect_uri() {
    let uris = vec![
        "https://a.example/cb".to_owned(),
        "https://b.example/cb".to_owned(),
    ];
    let full = br#"["https://a.example/cb", "https://b.example/cb", "https://c.example/"]"#;
    assert!(check_sector_document(&uris, full).is_ok());
    for bad in [
        &br#"["https://a.example/cb"]"#[..],
        br#"["https://A.example/cb", "https://b.example/cb"]"#,
        br#"{"redirect_uris": ["https://a.example/cb", "https://b.example/cb"]}"#,
        br#"[1, 2]"#,
        b"[]",
        b"not json",
        b"",
    ] {
        let e = check_sector_document(&uris, bad).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Invalid {
                    field: "sector_identifier_uri",
                    ..
                }
            ),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}
