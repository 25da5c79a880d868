-- The 0.10 consent-by-id flow: one consent request per authorization, answered (and
-- re-answered) by the consent app until the browser comes back with it, then used once.
-- Lists and the outcome are JSON text, times BIGINT Unix microseconds (UTC).
CREATE TABLE oxydra_legacy_consent_request (
    id              TEXT    NOT NULL,
    csrf            TEXT    NOT NULL,
    client_id       TEXT    NOT NULL REFERENCES oxydra_client (id) ON DELETE CASCADE,
    requested_scope TEXT    NOT NULL,
    redirect_url    TEXT    NOT NULL,
    requested_at    BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    -- The consent app's latest answer and when it was given; NULL until then.
    outcome         TEXT    NULL,
    handled_at      BIGINT  NULL,
    used            BOOLEAN NOT NULL,
    CONSTRAINT oxydra_legacy_consent_request_pkey PRIMARY KEY (id)
);
-- The flush scans expired requests.
CREATE INDEX oxydra_legacy_consent_request_expires_at_idx
    ON oxydra_legacy_consent_request (expires_at);
-- Deleting a client cascades to its requests.
CREATE INDEX oxydra_legacy_consent_request_client_id_idx
    ON oxydra_legacy_consent_request (client_id);
