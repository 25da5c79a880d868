-- The statements that find a grant's tokens filter on request_id AND kind and name this index
-- (INDEXED BY); with kind in it, the index alone finds the rows, as on PostgreSQL (see its
-- 0023) and MySQL (whose index had both columns from 0002).
DROP INDEX oxydra_token_request_id_idx;
CREATE INDEX oxydra_token_request_id_idx ON oxydra_token (request_id, kind);
