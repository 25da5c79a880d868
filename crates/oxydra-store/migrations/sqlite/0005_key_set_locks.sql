-- One row per key set that was ever created on demand. Creating a set takes this row's lock
-- first (an upsert, which makes the transaction a writer), so processes starting together
-- against one database file create a set once.
CREATE TABLE oxydra_jwk_set_lock (
    set_id TEXT NOT NULL PRIMARY KEY
);
