-- Hydra 1.x/2.x login acceptance fields (issue 15): the login app's `amr` (a JSON list, the ID
-- token's `amr` claim) and `context` (any JSON, NULL when none), carried from the accepted
-- login to the consent request it leads to, where the consent app reads them.
ALTER TABLE oxydra_consent_request ADD COLUMN amr TEXT NOT NULL DEFAULT '[]';
ALTER TABLE oxydra_consent_request ADD COLUMN context TEXT NULL;
