-- JSON Web Key sets. The JWK JSON is AES-256-GCM encrypted by the core before it reaches the
-- store (base64 of nonce || ciphertext || tag); set, kid, alg and use are kept in clear for
-- lookups. Times BIGINT Unix microseconds (UTC).
CREATE TABLE oxydra_jwk (
    set_id     VARCHAR(255) NOT NULL,
    kid        VARCHAR(255) NOT NULL,
    alg        TEXT         NOT NULL,
    key_use    TEXT         NOT NULL,
    created_at BIGINT       NOT NULL,
    encrypted  LONGTEXT     NOT NULL,
    CONSTRAINT oxydra_jwk_pkey PRIMARY KEY (set_id, kid)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
