-- Rows `oxydra import hydra` brought over (docs/migrating-from-hydra.md), by kind and by their
-- key in the source, kept after the rows themselves are gone (a revoked or rotated token, a
-- deleted client): a second import skips them instead of bringing them back. Imported token
-- rows are marked by their key too (`hydra:<signature>`); this table outlives them. Times
-- BIGINT Unix microseconds (UTC).
CREATE TABLE oxydra_import_ledger (
    kind        VARCHAR(32)  NOT NULL,
    source_key  VARCHAR(700) NOT NULL,
    imported_at BIGINT       NOT NULL,
    CONSTRAINT oxydra_import_ledger_pkey PRIMARY KEY (kind, source_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
