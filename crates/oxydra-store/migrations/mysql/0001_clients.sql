-- OAuth 2.0 clients. Lists and jwks are JSON text, enums their wire strings,
-- times BIGINT Unix microseconds (UTC).
--
-- Every table is utf8mb4 with the collation utf8mb4_nopad_bin: comparisons are exact
-- (case-sensitive, trailing spaces significant) and ORDER BY is byte order, as on PostgreSQL
-- (COLLATE "C") and SQLite. Keys are VARCHAR (InnoDB cannot index TEXT whole), sized so every
-- index stays within the 3072-byte limit of the DYNAMIC row format at 4 bytes a character.
CREATE TABLE oxydra_client (
    id                           VARCHAR(255) NOT NULL,
    name                         TEXT       NOT NULL,
    secret_hash                  TEXT       NULL,
    redirect_uris                LONGTEXT   NOT NULL,
    grant_types                  TEXT       NOT NULL,
    response_types               TEXT       NOT NULL,
    scope                        TEXT       NOT NULL,
    owner                        TEXT       NOT NULL,
    policy_uri                   TEXT       NOT NULL,
    tos_uri                      TEXT       NOT NULL,
    client_uri                   TEXT       NOT NULL,
    logo_uri                     TEXT       NOT NULL,
    contacts                     LONGTEXT   NOT NULL,
    subject_type                 TEXT       NOT NULL,
    sector_identifier_uri        TEXT       NOT NULL,
    jwks_uri                     TEXT       NOT NULL,
    jwks                         LONGTEXT   NULL,
    token_endpoint_auth_method   TEXT       NOT NULL,
    request_uris                 LONGTEXT   NOT NULL,
    request_object_signing_alg   TEXT       NOT NULL,
    userinfo_signed_response_alg TEXT       NOT NULL,
    created_at                   BIGINT     NOT NULL,
    updated_at                   BIGINT     NOT NULL,
    CONSTRAINT oxydra_client_pkey PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
