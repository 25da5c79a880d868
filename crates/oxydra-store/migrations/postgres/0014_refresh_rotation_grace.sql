-- Refresh-token rotation grace window (`OAUTH2_GRANT_REFRESH_TOKEN_ROTATION_GRACE_PERIOD`):
-- a refresh token rotated under a window keeps when it was rotated, its successor refresh
-- token's signature and the successor pair's values, encrypted under the system secret and
-- bound to this row, so that a repeated presentation within the window gets the same pair.
-- The sealed values are erased when the grant rotates again; the row goes with the grant.
ALTER TABLE oxydra_token ADD COLUMN rotated_at BIGINT NULL;
ALTER TABLE oxydra_token ADD COLUMN grace_successor TEXT NULL;
ALTER TABLE oxydra_token ADD COLUMN grace_sealed TEXT NULL;
