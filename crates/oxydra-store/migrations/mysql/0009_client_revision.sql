-- One row: bumped in the same transaction as every client write, so an instance that caches
-- client records can tell whether another instance changed one by reading one value.
CREATE TABLE oxydra_client_revision (
    id       BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    CONSTRAINT oxydra_client_revision_pkey PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
INSERT INTO oxydra_client_revision (id, revision) VALUES (1, 0);
