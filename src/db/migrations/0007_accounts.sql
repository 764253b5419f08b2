-- Accounts of people (issue 5, part 2): portal users of every role in DESIGN §1 except `ttp` (a
-- service, not a person) and `operator` (the command line). Systems use OAuth clients (0004).
-- No patient data here; the username is the staff member's work identity.

CREATE TABLE users (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._@-]{2,63}$'),
  role text NOT NULL CHECK (role IN ('provider', 'inspector', 'registry-admin', 'manufacturer', 'association', 'log-manager')),
  -- a provider user acts for exactly one care provider
  provider_id uuid REFERENCES providers (id),
  -- the manufacturer or association the user works for
  organisation text CHECK (length(organisation) BETWEEN 1 AND 200),
  -- scrypt$<N>$<r>$<p>$<salt>$<hash> (src/auth/secret-hash.ts)
  password_hash text NOT NULL CHECK (password_hash ~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$'),
  password_changed_at timestamptz NOT NULL,
  -- RFC 6238 shared secret, base32; null until the user has enrolled an authenticator app
  totp_secret text CHECK (totp_secret ~ '^[A-Z2-7]{32}$'),
  -- the last 30-second step a code was accepted for: a code is accepted once
  totp_last_step bigint,
  -- lockout: consecutive failed passwords or codes, and until when sign-in is refused
  failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_until timestamptz,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  disabled_at timestamptz,
  CHECK ((role = 'provider') = (provider_id IS NOT NULL)),
  CHECK ((role IN ('manufacturer', 'association')) = (organisation IS NOT NULL))
);

-- Portal sessions. The cookie holds a random id; only its SHA-256 is kept, so a copy of this table
-- does not let anyone sign in. `stage`: password accepted, waiting for a TOTP code ('totp') or for
-- enrolment of an authenticator ('enrol'); or fully signed in ('active').
CREATE TABLE user_sessions (
  id_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  stage text NOT NULL CHECK (stage IN ('totp', 'enrol', 'active')),
  csrf_token text NOT NULL,
  -- during enrolment: the secret shown to the user, kept until a code from it is confirmed
  pending_totp_secret text CHECK (pending_totp_secret ~ '^[A-Z2-7]{32}$'),
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id);
CREATE INDEX user_sessions_expiry_idx ON user_sessions (expires_at);
