-- Access-control policies (1.0.0-alpha1 `/policies`). Subjects, resources and actions are JSON
-- lists of patterns; conditions a JSON object `{key: {type, options}}`.
CREATE TABLE oxydra_policy (
    id          TEXT NOT NULL PRIMARY KEY,
    description TEXT NOT NULL,
    effect      TEXT NOT NULL,
    subjects    TEXT NOT NULL,
    resources   TEXT NOT NULL,
    actions     TEXT NOT NULL,
    conditions  TEXT NOT NULL
);

-- One row: bumped in the same transaction as every policy write, so a cache can check whether
-- it is current by reading one value instead of every policy.
CREATE TABLE oxydra_policy_revision (
    id       BIGINT NOT NULL PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO oxydra_policy_revision (id, revision) VALUES (1, 0);
