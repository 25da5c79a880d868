-- OIDC logout (issue 15 items 2 and 4). A client registers where the browser may go after an
-- RP-initiated logout (`post_logout_redirect_uris`, a JSON list) and where it is told of the
-- logout (Front-Channel Logout 1.0 §2, Back-Channel Logout 1.0 §2.2); empty means none.
ALTER TABLE oxydra_client ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE oxydra_client ADD COLUMN frontchannel_logout_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE oxydra_client ADD COLUMN frontchannel_logout_session_required BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE oxydra_client ADD COLUMN backchannel_logout_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE oxydra_client ADD COLUMN backchannel_logout_session_required BOOLEAN NOT NULL DEFAULT FALSE;

-- A logout request (`/oauth2/sessions/logout`): the logout app accepts it once, and the
-- browser redeems its verifier once. `redirect_to` is where the browser ends up.
CREATE TABLE oxydra_logout_request (
    challenge     TEXT    NOT NULL PRIMARY KEY,
    verifier      TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    session_id    TEXT    NOT NULL,
    client_id     TEXT    NULL REFERENCES oxydra_client (id) ON DELETE CASCADE,
    request_url   TEXT    NOT NULL,
    rp_initiated  BOOLEAN NOT NULL,
    redirect_to   TEXT    NOT NULL,
    requested_at  BIGINT  NOT NULL,
    accepted      BOOLEAN NOT NULL,
    verifier_used BOOLEAN NOT NULL,
    CONSTRAINT oxydra_logout_request_verifier_key UNIQUE (verifier)
);
-- The flush scans old requests.
CREATE INDEX oxydra_logout_request_requested_at_idx ON oxydra_logout_request (requested_at);
-- Deleting a client cascades to its requests.
CREATE INDEX oxydra_logout_request_client_id_idx ON oxydra_logout_request (client_id);
-- A logout finds the clients a login session consented to, and ends their remembered consents.
CREATE INDEX oxydra_consent_request_login_session_idx ON oxydra_consent_request (login_session_id);
