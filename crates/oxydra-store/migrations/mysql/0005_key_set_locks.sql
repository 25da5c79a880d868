-- One row per key set that was ever created on demand. Creating a set takes this row's lock
-- first (an upsert), so instances starting together against one database create a set once.
CREATE TABLE oxydra_jwk_set_lock (
    set_id VARCHAR(255) NOT NULL,
    CONSTRAINT oxydra_jwk_set_lock_pkey PRIMARY KEY (set_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
