-- The Hydra 2.x client model (issue 15): a first-party client's consent and logout may be
-- skipped by the apps (`skip_consent`, `skip_logout_consent`), free-form `metadata` (JSON
-- text, NULL when none), the client's own access-token format (`jwt`, `opaque`; empty is the
-- server's) and its per-grant token lifespans (a JSON object of Hydra 2.x field name to
-- microseconds; `{}` means every lifespan is the server's). Existing clients read as before.
ALTER TABLE oxydra_client ADD COLUMN skip_consent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE oxydra_client ADD COLUMN skip_logout_consent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE oxydra_client ADD COLUMN metadata TEXT NULL;
ALTER TABLE oxydra_client ADD COLUMN access_token_strategy TEXT NOT NULL DEFAULT '';
ALTER TABLE oxydra_client ADD COLUMN token_lifespans TEXT NOT NULL DEFAULT '{}';
