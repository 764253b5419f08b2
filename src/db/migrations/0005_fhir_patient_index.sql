-- FHIR `DeviceUseStatement?patient=Patient/<id>`: the Patient id is derived from the pseudonym
-- (src/http/fhir/model.ts patientIdOf); this index finds a patient's records without a scan.
-- The expression must stay identical to PATIENT_ID_SQL in src/register/records-repository.ts.
-- text::bytea (immutable, unlike convert_to) equals the UTF-8 bytes for the pseudonym alphabet,
-- which has no backslash (src/domain/identifiers.ts PSEUDONYM_PATTERN).
CREATE INDEX records_fhir_patient_idx ON records (('p' || substr(encode(sha256(patient_pseudonym::bytea), 'hex'), 1, 40)))
  WHERE patient_pseudonym IS NOT NULL;
