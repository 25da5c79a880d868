-- A client may choose how its ID tokens are signed (OIDC Dynamic Client Registration §2
-- `id_token_signed_response_alg`): `RS256`, `ES256` or `EdDSA`. Empty means the server's
-- default (`OXYDRA_ID_TOKEN_SIGNING_ALG`).
ALTER TABLE oxydra_client ADD COLUMN id_token_signed_response_alg TEXT NOT NULL DEFAULT '';
