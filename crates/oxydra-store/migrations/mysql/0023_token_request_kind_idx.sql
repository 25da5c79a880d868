-- Nothing to change: MySQL's oxydra_token_request_id_idx has been (request_id, kind) since 0002.
-- PostgreSQL and SQLite move to that index in their 0023; this keeps the version numbers alike.
DO 0;
