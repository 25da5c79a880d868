-- Issued tokens (access, refresh, authorization code), keyed by the token's signature part
-- (never the token). Lists and the session are JSON text, times BIGINT Unix microseconds (UTC).
CREATE TABLE oxydra_token (
    signature        TEXT    NOT NULL PRIMARY KEY,
    kind             TEXT    NOT NULL
        CHECK (kind IN ('access_token', 'refresh_token', 'authorize_code')),
    request_id       TEXT    NOT NULL,
    client_id        TEXT    NOT NULL REFERENCES oxydra_client (id) ON DELETE CASCADE,
    subject          TEXT    NOT NULL,
    granted_scope    TEXT    NOT NULL,
    granted_audience TEXT    NOT NULL,
    issued_at        BIGINT  NOT NULL,
    -- NULL for refresh tokens: they live until rotated or revoked, and are never flushed.
    expires_at       BIGINT  NULL,
    active           BOOLEAN NOT NULL,
    session          TEXT    NOT NULL
);
-- Revocation, rotation and replay act on every token of one grant.
CREATE INDEX oxydra_token_request_id_idx ON oxydra_token (request_id);
-- The flush scans expired rows of one kind.
CREATE INDEX oxydra_token_kind_expires_at_idx ON oxydra_token (kind, expires_at);
-- Deleting a client cascades to its tokens.
CREATE INDEX oxydra_token_client_id_idx ON oxydra_token (client_id);

-- Client-assertion `jti`s seen until they expire (RFC 7523 §3 replay protection). Not a
-- secret, so stored as given. No foreign key: rows are short-lived and cleaned up on claim.
CREATE TABLE oxydra_jti (
    client_id  TEXT   NOT NULL,
    jti        TEXT   NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);
-- The bounded cleanup of expired rows on each claim.
CREATE INDEX oxydra_jti_expires_at_idx ON oxydra_jti (expires_at);
