-- An authorization request asks whether the subject has a remembered consent at the client.
-- The (subject, client_id) index led that lookup to every consent the subject ever gave the
-- client, remembered or not, and the flow slowed as they piled up. This index reaches the
-- remembered, accepted, unskipped rows alone, and still serves the (subject[, client_id])
-- lookups of consent-session revocation, so it replaces the old one.
DROP INDEX oxydra_consent_request_subject_client_idx;
CREATE INDEX oxydra_consent_request_remembered_idx
    ON oxydra_consent_request (subject, client_id, remember, accepted, skip);
