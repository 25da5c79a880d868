-- The device authorization grant (RFC 8628): one row per device authorization request, from
-- the device's request until it is redeemed, denied or flushed after expiry. Only the device
-- code's signature and a keyed hash of the user code are stored, never the codes. Lists and
-- the approval are JSON text, times BIGINT Unix microseconds (UTC).
CREATE TABLE oxydra_device_grant (
    signature       TEXT    NOT NULL PRIMARY KEY,
    user_code_hash  TEXT    NOT NULL UNIQUE,
    challenge       TEXT    NOT NULL UNIQUE,
    client_id       TEXT    NOT NULL REFERENCES oxydra_client (id) ON DELETE CASCADE,
    requested_scope TEXT    NOT NULL,
    requested_at    BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    -- Seconds; grows by 5 with each slow_down.
    poll_interval   BIGINT  NOT NULL,
    last_polled_at  BIGINT  NULL,
    status          TEXT    NOT NULL
        CHECK (status IN ('pending', 'authorized', 'denied', 'used')),
    -- What the user granted; NULL until the consent app accepted.
    approval        TEXT    NULL
);
-- The flush scans expired grants.
CREATE INDEX oxydra_device_grant_expires_at_idx ON oxydra_device_grant (expires_at);
-- Deleting a client cascades to its grants.
CREATE INDEX oxydra_device_grant_client_id_idx ON oxydra_device_grant (client_id);
