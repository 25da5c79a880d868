-- Trust relationships of the JWT-bearer grant (RFC 7523 §2.1; Hydra 2.x
-- /admin/trust/grants/jwt-bearer/issuers): which issuer may assert which subject (empty with
-- allow_any_subject), verified with which public JWK, for which scopes (JSON list), until when.
-- Times BIGINT Unix microseconds (UTC). Assertion jtis live in oxydra_jti.
CREATE TABLE oxydra_jwt_bearer_trust (
    id                TEXT    NOT NULL PRIMARY KEY,
    issuer            TEXT    NOT NULL,
    subject           TEXT    NOT NULL,
    allow_any_subject BOOLEAN NOT NULL,
    scope             TEXT    NOT NULL,
    key_id            TEXT    NOT NULL,
    public_key        TEXT    NOT NULL,
    created_at        BIGINT  NOT NULL,
    expires_at        BIGINT  NOT NULL,
    CONSTRAINT oxydra_jwt_bearer_trust_issuer_subject_key_id_key
        UNIQUE (issuer, subject, key_id)
);
