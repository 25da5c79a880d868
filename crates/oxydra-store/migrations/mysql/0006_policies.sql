-- Access-control policies (1.0.0-alpha1 `/policies`). Subjects, resources and actions are JSON
-- lists of patterns; conditions a JSON object `{key: {type, options}}`.
CREATE TABLE oxydra_policy (
    id          VARCHAR(255) NOT NULL,
    description TEXT         NOT NULL,
    effect      TEXT         NOT NULL,
    subjects    LONGTEXT     NOT NULL,
    resources   LONGTEXT     NOT NULL,
    actions     LONGTEXT     NOT NULL,
    conditions  LONGTEXT     NOT NULL,
    CONSTRAINT oxydra_policy_pkey PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;

-- One row: bumped in the same transaction as every policy write, so a cache can check whether
-- it is current by reading one value instead of every policy.
CREATE TABLE oxydra_policy_revision (
    id       BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    CONSTRAINT oxydra_policy_revision_pkey PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_nopad_bin ROW_FORMAT = DYNAMIC;
INSERT INTO oxydra_policy_revision (id, revision) VALUES (1, 0);
