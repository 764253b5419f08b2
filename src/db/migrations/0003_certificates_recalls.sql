-- Certificates of notified bodies and manufacturers' recalls / field safety notices (issue 3, part 6).
-- PostgreSQL 15 level, identical on PGlite and a PostgreSQL server. All of it is reference data:
-- plain tables without patient data, which become Citus reference tables.
-- Semantics (status on a date, suspension periods, serial ranges): docs/certificates-and-recalls.md.

-- One version of a notified body's certificate. A renewal is a new version (same number, new
-- version); the certificate number alone is not unique across notified bodies.
CREATE TABLE certificates (
  id uuid PRIMARY KEY,
  nb_number text NOT NULL CHECK (nb_number ~ '^[0-9]{4}$'),
  nb_name text NOT NULL CHECK (length(nb_name) BETWEEN 1 AND 200),
  certificate_number text NOT NULL CHECK (length(certificate_number) BETWEEN 1 AND 100),
  certificate_version text NOT NULL CHECK (length(certificate_version) BETWEEN 1 AND 40),
  valid_from date NOT NULL,
  valid_until date NOT NULL,
  recorded_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_until >= valid_from),
  UNIQUE (nb_number, certificate_number, certificate_version)
);

-- The devices (UDI-DIs) a certificate covers. No foreign key to the catalogue: a certificate may
-- arrive before its devices do, as records with an unresolved UDI-DI may.
CREATE TABLE certificate_devices (
  certificate_id uuid NOT NULL REFERENCES certificates (id),
  udi_di text NOT NULL CHECK (length(udi_di) BETWEEN 1 AND 60),
  PRIMARY KEY (certificate_id, udi_di)
);
CREATE INDEX certificate_devices_udi_di_idx ON certificate_devices (udi_di, certificate_id);

-- The status history, append-only: a status holds from effective_from until the next row's
-- effective_from. Of two rows with the same effective_from the one recorded later (higher id)
-- counts: that is how a mistaken row is corrected without rewriting history.
CREATE TABLE certificate_status_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  certificate_id uuid NOT NULL REFERENCES certificates (id),
  status text NOT NULL CHECK (status IN ('valid', 'conditional', 'suspended', 'withdrawn', 'expired')),
  effective_from date NOT NULL,
  reason_code text CHECK (reason_code ~ '^[a-z][a-z0-9-]{0,39}$'),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_by text NOT NULL
);
CREATE INDEX certificate_status_history_cert_idx ON certificate_status_history (certificate_id, effective_from, id);
-- Suspended and withdrawn certificates are what the inspectorate's query starts from.
CREATE INDEX certificate_status_history_alert_idx ON certificate_status_history (certificate_id) WHERE status IN ('suspended', 'withdrawn');

CREATE FUNCTION certificate_status_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'certificate_status_history is append-only: record a new status instead' USING ERRCODE = '55000';
END
$$;
CREATE TRIGGER certificate_status_history_append_only BEFORE UPDATE OR DELETE ON certificate_status_history
  FOR EACH ROW EXECUTE FUNCTION certificate_status_history_append_only();

-- A recall or field safety notice (FSCA) for one UDI-DI; an FSCA that covers several devices is
-- one row per UDI-DI with the same reference. It concerns every unit of the device (all_units), or
-- the listed lots and/or serial ranges.
CREATE TABLE recalls (
  id uuid PRIMARY KEY,
  reference text NOT NULL CHECK (length(reference) BETWEEN 1 AND 100),
  kind text NOT NULL CHECK (kind IN ('recall', 'field-safety-notice')),
  udi_di text NOT NULL CHECK (length(udi_di) BETWEEN 1 AND 60),
  issued_on date NOT NULL,
  all_units boolean NOT NULL DEFAULT false,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (reference, udi_di)
);
CREATE INDEX recalls_udi_di_idx ON recalls (udi_di);

CREATE TABLE recall_lots (
  recall_id uuid NOT NULL REFERENCES recalls (id),
  lot text NOT NULL CHECK (length(lot) BETWEEN 1 AND 100),
  PRIMARY KEY (recall_id, lot)
);
CREATE INDEX recall_lots_lot_idx ON recall_lots (lot, recall_id);

-- A serial range from–to, both inclusive. Either from = to (one serial, matched exactly), or both
-- are the same prefix followed by digits, of the same length (prefix_length = length of the common
-- non-numeric prefix): a serial is in the range when it has that length and prefix and its digits
-- lie between, compared as numbers (equal length makes that a byte-wise comparison).
CREATE TABLE recall_serial_ranges (
  recall_id uuid NOT NULL REFERENCES recalls (id),
  serial_from text NOT NULL CHECK (length(serial_from) BETWEEN 1 AND 100),
  serial_to text NOT NULL,
  prefix_length integer NOT NULL CHECK (prefix_length >= 0),
  PRIMARY KEY (recall_id, serial_from, serial_to),
  CHECK (length(serial_to) = length(serial_from)),
  CHECK (serial_from COLLATE "C" <= serial_to)
);
