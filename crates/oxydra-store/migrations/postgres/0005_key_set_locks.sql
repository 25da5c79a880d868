-- One row per key set that was ever created on demand. Creating a set takes this row's lock
-- first (an upsert), so instances starting together against one database create a set once.
CREATE TABLE oxydra_jwk_set_lock (
    set_id TEXT COLLATE "C" NOT NULL,
    CONSTRAINT oxydra_jwk_set_lock_pkey PRIMARY KEY (set_id)
);
