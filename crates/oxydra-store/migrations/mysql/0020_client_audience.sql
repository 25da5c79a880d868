-- Hydra's client audience whitelist (a JSON list): the audiences a client may ask tokens
-- for, at the token endpoint (`audience`) and in a token exchange (RFC 8693 `audience`,
-- `resource`). Existing clients may ask for none, as before.
ALTER TABLE oxydra_client ADD COLUMN audience TEXT NOT NULL DEFAULT '[]';
