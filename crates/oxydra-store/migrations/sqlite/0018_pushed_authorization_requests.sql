-- Pushed authorization requests (RFC 9126): one row per request a client pushed to
-- /oauth2/par, from the push until it is flushed after expiry. Only a SHA-256 of the
-- request_uri reference is stored, never the reference. The parameters are JSON text, times
-- BIGINT Unix microseconds (UTC). The client column require_pushed_authorization_requests is
-- the RFC 9126 §6 client metadata: its authorization requests must be pushed.
CREATE TABLE oxydra_pushed_request (
    key_hash     TEXT    NOT NULL PRIMARY KEY,
    client_id    TEXT    NOT NULL REFERENCES oxydra_client (id) ON DELETE CASCADE,
    params       TEXT    NOT NULL,
    requested_at BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    used         BOOLEAN NOT NULL DEFAULT FALSE
);
-- The flush scans expired requests.
CREATE INDEX oxydra_pushed_request_expires_at_idx ON oxydra_pushed_request (expires_at);
-- Deleting a client cascades to its requests.
CREATE INDEX oxydra_pushed_request_client_id_idx ON oxydra_pushed_request (client_id);
ALTER TABLE oxydra_client ADD COLUMN require_pushed_authorization_requests BOOLEAN NOT NULL DEFAULT FALSE;
