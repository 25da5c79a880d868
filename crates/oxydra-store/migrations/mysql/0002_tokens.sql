-- Issued tokens (access, refresh, authorization code), keyed by the token's signature part
-- (never the token). Lists and the session are JSON text, times BIGINT Unix microseconds (UTC).
CREATE TABLE oxydra_token (
    signature        VARCHAR(255) NOT NULL,
    kind             VARCHAR(32)  NOT NULL
        CHECK (kind IN ('access_token', 'refresh_token', 'authorize_code')),
    request_id       VARCHAR(255) NOT NULL,
    client_id        VARCHAR(255) NOT NULL,
    subject          TEXT         NOT NULL,
    granted_scope    TEXT         NOT NULL,
    granted_audience TEXT         NOT NULL,
    issued_at        BIGINT       NOT NULL,
    -- NULL for refresh tokens: they live until rotated or revoked, and are never flushed.
    expires_at       BIGINT       NULL,
    active           BOOLEAN      NOT NULL,
    session          LONGTEXT     NOT NULL,
    CONSTRAINT oxydra_token_pkey PRIMARY KEY (signature),
    CONSTRAINT oxydra_token_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES oxydra_client (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
-- Revocation, rotation and replay act on every token of one grant, one kind at a time. With
-- the kind in the index, such a DELETE locks only the rows of that kind (InnoDB locks every
-- index record it reads), so a rotation deleting the grant's access tokens never waits for a
-- replay deleting its refresh tokens, nor the other way round.
CREATE INDEX oxydra_token_request_id_idx ON oxydra_token (request_id, kind);
-- The flush scans expired rows of one kind.
CREATE INDEX oxydra_token_kind_expires_at_idx ON oxydra_token (kind, expires_at);
-- Deleting a client cascades to its tokens.
CREATE INDEX oxydra_token_client_id_idx ON oxydra_token (client_id);

-- Client-assertion `jti`s seen until they expire (RFC 7523 §3 replay protection). Not a
-- secret, so stored as given. No foreign key: rows are short-lived and cleaned up on claim.
CREATE TABLE oxydra_jti (
    client_id  VARCHAR(255) NOT NULL,
    jti        VARCHAR(512) NOT NULL,
    expires_at BIGINT       NOT NULL,
    CONSTRAINT oxydra_jti_pkey PRIMARY KEY (client_id, jti)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
-- The bounded cleanup of expired rows on each claim.
CREATE INDEX oxydra_jti_expires_at_idx ON oxydra_jti (expires_at);
