-- OAuth 2.0 clients. Lists and jwks are JSON text, enums their wire strings,
-- times BIGINT Unix microseconds (UTC).
CREATE TABLE oxydra_client (
    -- COLLATE "C": byte order, as SQLite sorts, so list order is the same on both backends.
    id                           TEXT    COLLATE "C" NOT NULL,
    name                         TEXT    NOT NULL,
    secret_hash                  TEXT    NULL,
    redirect_uris                TEXT    NOT NULL,
    grant_types                  TEXT    NOT NULL,
    response_types               TEXT    NOT NULL,
    scope                        TEXT    NOT NULL,
    owner                        TEXT    NOT NULL,
    policy_uri                   TEXT    NOT NULL,
    tos_uri                      TEXT    NOT NULL,
    client_uri                   TEXT    NOT NULL,
    logo_uri                     TEXT    NOT NULL,
    contacts                     TEXT    NOT NULL,
    subject_type                 TEXT    NOT NULL,
    sector_identifier_uri        TEXT    NOT NULL,
    jwks_uri                     TEXT    NOT NULL,
    jwks                         TEXT    NULL,
    token_endpoint_auth_method   TEXT    NOT NULL,
    request_uris                 TEXT    NOT NULL,
    request_object_signing_alg   TEXT    NOT NULL,
    userinfo_signed_response_alg TEXT    NOT NULL,
    created_at                   BIGINT  NOT NULL,
    updated_at                   BIGINT  NOT NULL,
    CONSTRAINT oxydra_client_pkey PRIMARY KEY (id)
);
