-- Remembered login sessions expire on the server too: `expires_at` (BIGINT Unix
-- microseconds) is `remember_for` after the login, or the browser-session maximum
-- (`OXYDRA_BROWSER_SESSION_LIFESPAN`) for `remember_for = 0`. Existing rows get the default
-- maximum, 24 hours, after their authentication.
ALTER TABLE oxydra_login_session ADD COLUMN expires_at BIGINT NULL;
UPDATE oxydra_login_session SET expires_at = authenticated_at + 86400000000;
ALTER TABLE oxydra_login_session MODIFY COLUMN expires_at BIGINT NOT NULL;
-- The flush deletes expired sessions.
CREATE INDEX oxydra_login_session_expires_at_idx ON oxydra_login_session (expires_at);
