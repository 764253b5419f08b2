-- Device catalogue: update history. Every insert or change of a device writes one row here, in
-- the same statement as the change itself (src/catalogue/reference-data.ts, upsertDevices); an
-- import of an unchanged device writes nothing. Rows are only ever inserted: a trigger refuses
-- UPDATE and DELETE. A plain table that becomes a Citus reference table, like `devices`.

CREATE TABLE device_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  udi_di text NOT NULL,
  changed_at timestamptz NOT NULL,
  -- the catalogue file's name (`lir catalogue import`), 'api' for other callers, 'migration' below
  source text NOT NULL CHECK (length(source) BETWEEN 1 AND 255),
  operation text NOT NULL CHECK (operation IN ('insert', 'update')),
  -- the fields that changed: { "<field>": { "old": <value or null>, "new": <value or null> } }
  changes jsonb NOT NULL CHECK (jsonb_typeof(changes) = 'object')
);
CREATE INDEX device_history_udi_di_idx ON device_history (udi_di, id);

CREATE FUNCTION device_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'device_history is append-only: % is not allowed', TG_OP;
END;
$$;

CREATE TRIGGER device_history_append_only BEFORE UPDATE OR DELETE ON device_history
  FOR EACH ROW EXECUTE FUNCTION device_history_append_only();

-- Devices already in the catalogue when history began: their state then, as an insert.
INSERT INTO device_history (udi_di, changed_at, source, operation, changes)
SELECT d.udi_di, d.updated_at, 'migration', 'insert',
  jsonb_build_object(
    'issuer', jsonb_build_object('old', NULL, 'new', d.issuer),
    'manufacturer', jsonb_build_object('old', NULL, 'new', d.manufacturer),
    'productName', jsonb_build_object('old', NULL, 'new', d.product_name),
    'implantType', jsonb_build_object('old', NULL, 'new', d.implant_type))
  || CASE WHEN d.model IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('model', jsonb_build_object('old', NULL, 'new', d.model)) END
FROM devices d
ORDER BY d.udi_di;
