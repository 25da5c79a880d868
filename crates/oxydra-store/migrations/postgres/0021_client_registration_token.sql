-- Dynamic client registration (RFC 7591/7592): the SHA-256 (hex) of the registration access
-- token that manages a client at /oauth2/register/{id}. NULL for clients created through the
-- admin API, which cannot be managed that way.
ALTER TABLE oxydra_client ADD COLUMN registration_token_hash TEXT NULL;
