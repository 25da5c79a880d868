-- The statements that find a grant's tokens filter on request_id AND kind (rotation, revocation,
-- replay). With request_id alone indexed, a table without planner statistics (fresh, bulk
-- loaded, or not yet reached by autovacuum's analyze) got a BitmapAnd with the
-- (kind, expires_at) index: every refresh rotation read every access token's index entry
-- (~100 rotations/s at 244,000 access tokens). One index on both columns serves the whole
-- condition, whatever the statistics say. Building it locks writes to oxydra_token while it
-- runs (seconds per million rows).
DROP INDEX oxydra_token_request_id_idx;
CREATE INDEX oxydra_token_request_id_idx ON oxydra_token (request_id, kind);
