-- RFC 9449 §5.2.1 client metadata dpop_bound_access_tokens: the client always uses DPoP at
-- the token endpoint. Existing clients do not, as before.
ALTER TABLE oxydra_client ADD COLUMN dpop_bound_access_tokens BOOLEAN NOT NULL DEFAULT FALSE;
