-- Trust relationships of the JWT-bearer grant (RFC 7523 §2.1; Hydra 2.x
-- /admin/trust/grants/jwt-bearer/issuers): which issuer may assert which subject (empty with
-- allow_any_subject), verified with which public JWK, for which scopes (JSON list), until when.
-- Times BIGINT Unix microseconds (UTC). Assertion jtis live in oxydra_jti. The three key
-- columns are at most 255 characters (checked before insert), so the unique index fits.
CREATE TABLE oxydra_jwt_bearer_trust (
    id                VARCHAR(64)  NOT NULL,
    issuer            VARCHAR(255) NOT NULL,
    subject           VARCHAR(255) NOT NULL,
    allow_any_subject BOOLEAN      NOT NULL,
    scope             LONGTEXT     NOT NULL,
    key_id            VARCHAR(255) NOT NULL,
    public_key        LONGTEXT     NOT NULL,
    created_at        BIGINT       NOT NULL,
    expires_at        BIGINT       NOT NULL,
    CONSTRAINT oxydra_jwt_bearer_trust_pkey PRIMARY KEY (id),
    CONSTRAINT oxydra_jwt_bearer_trust_issuer_subject_key_id_key
        UNIQUE (issuer, subject, key_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
