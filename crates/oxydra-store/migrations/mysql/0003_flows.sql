-- The login/consent flow: login and consent requests (answered once, verifier redeemed once)
-- and remembered login sessions. Lists, OIDC context and outcomes are JSON text, times BIGINT
-- Unix microseconds (UTC).
CREATE TABLE oxydra_login_request (
    challenge        VARCHAR(255) NOT NULL,
    verifier         VARCHAR(255) NOT NULL,
    csrf             TEXT         NOT NULL,
    client_id        VARCHAR(255) NOT NULL,
    subject          TEXT         NOT NULL,
    skip             BOOLEAN      NOT NULL,
    requested_scope  TEXT         NOT NULL,
    request_url      LONGTEXT     NOT NULL,
    oidc_context     LONGTEXT     NOT NULL,
    login_session_id TEXT         NULL,
    requested_at     BIGINT       NOT NULL,
    authenticated_at BIGINT       NULL,
    -- The login app's answer; NULL until it is given (at most once).
    outcome          LONGTEXT     NULL,
    verifier_used    BOOLEAN      NOT NULL,
    CONSTRAINT oxydra_login_request_pkey PRIMARY KEY (challenge),
    CONSTRAINT oxydra_login_request_verifier_key UNIQUE (verifier),
    CONSTRAINT oxydra_login_request_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES oxydra_client (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
-- The flush scans old requests.
CREATE INDEX oxydra_login_request_requested_at_idx ON oxydra_login_request (requested_at);
-- Deleting a client cascades to its requests.
CREATE INDEX oxydra_login_request_client_id_idx ON oxydra_login_request (client_id);

CREATE TABLE oxydra_consent_request (
    challenge        VARCHAR(255) NOT NULL,
    verifier         VARCHAR(255) NOT NULL,
    csrf             TEXT         NOT NULL,
    client_id        VARCHAR(255) NOT NULL,
    subject          VARCHAR(512) NOT NULL,
    skip             BOOLEAN      NOT NULL,
    requested_scope  TEXT         NOT NULL,
    request_url      LONGTEXT     NOT NULL,
    oidc_context     LONGTEXT     NOT NULL,
    -- No foreign key: login requests are flushed while remembered consents live on.
    login_challenge  TEXT         NOT NULL,
    login_session_id TEXT         NULL,
    requested_at     BIGINT       NOT NULL,
    authenticated_at BIGINT       NOT NULL,
    acr              TEXT         NOT NULL,
    -- The consent app's answer and when it was given; NULL until then (at most once).
    outcome          LONGTEXT     NULL,
    handled_at       BIGINT       NULL,
    verifier_used    BOOLEAN      NOT NULL,
    -- Copied from an accepted outcome, for the remembered-consent queries.
    accepted         BOOLEAN      NOT NULL,
    remember         BOOLEAN      NOT NULL,
    remember_for     BIGINT       NOT NULL,
    CONSTRAINT oxydra_consent_request_pkey PRIMARY KEY (challenge),
    CONSTRAINT oxydra_consent_request_verifier_key UNIQUE (verifier),
    CONSTRAINT oxydra_consent_request_client_id_fkey FOREIGN KEY (client_id)
        REFERENCES oxydra_client (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
-- Remembered consents and consent-session revocation look up a subject's (client's) grants.
CREATE INDEX oxydra_consent_request_subject_client_idx
    ON oxydra_consent_request (subject, client_id);
-- The flush scans old requests.
CREATE INDEX oxydra_consent_request_requested_at_idx ON oxydra_consent_request (requested_at);
-- Deleting a client cascades to its requests.
CREATE INDEX oxydra_consent_request_client_id_idx ON oxydra_consent_request (client_id);

-- A browser's remembered login (`oauth2_authentication_session` cookie).
CREATE TABLE oxydra_login_session (
    id               VARCHAR(255) NOT NULL,
    subject          VARCHAR(512) NOT NULL,
    authenticated_at BIGINT       NOT NULL,
    CONSTRAINT oxydra_login_session_pkey PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
-- Revoking every session of a subject.
CREATE INDEX oxydra_login_session_subject_idx ON oxydra_login_session (subject);
