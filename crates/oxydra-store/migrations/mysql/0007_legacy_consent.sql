-- The 0.10 consent-by-id flow: one consent request per authorization, answered (and
-- re-answered) by the consent app until the browser comes back with it, then used once.
-- Lists and the outcome are JSON text, times BIGINT Unix microseconds (UTC).
CREATE TABLE oxydra_legacy_consent_request (
    id              VARCHAR(255) NOT NULL,
    csrf            TEXT         NOT NULL,
    client_id       VARCHAR(255) NOT NULL,
    requested_scope TEXT         NOT NULL,
    redirect_url    LONGTEXT     NOT NULL,
    requested_at    BIGINT       NOT NULL,
    expires_at      BIGINT       NOT NULL,
    -- The consent app's latest answer and when it was given; NULL until then.
    outcome         LONGTEXT     NULL,
    handled_at      BIGINT       NULL,
    used            BOOLEAN      NOT NULL,
    CONSTRAINT oxydra_legacy_consent_request_pkey PRIMARY KEY (id),
    CONSTRAINT oxydra_legacy_consent_request_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES oxydra_client (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
-- The flush scans expired requests.
CREATE INDEX oxydra_legacy_consent_request_expires_at_idx
    ON oxydra_legacy_consent_request (expires_at);
-- Deleting a client cascades to its requests.
CREATE INDEX oxydra_legacy_consent_request_client_id_idx
    ON oxydra_legacy_consent_request (client_id);
