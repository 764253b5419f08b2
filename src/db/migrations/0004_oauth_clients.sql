-- OAuth 2.0 clients for systems (hospital EHRs): client credentials grant, RFC 6749 §4.4 (issue 4,
-- part 6). PostgreSQL 15 level, identical on PGlite and a PostgreSQL server. Reference data: plain
-- tables without patient data. Behaviour and operation: docs/oauth.md.

-- One system that may ask for access tokens. It is bound to exactly one provider and acts only for
-- that provider's KvK. It authenticates either with a secret (client_secret_basic / _post), kept
-- here only as an scrypt hash, or with a JWT signed by its own key (private_key_jwt, RFC 7523),
-- whose public half (a JWK Set) is kept here. The register's own signing key never is.
CREATE TABLE oauth_clients (
  id uuid PRIMARY KEY,
  provider_id uuid NOT NULL REFERENCES providers (id),
  auth_method text NOT NULL CHECK (auth_method IN ('client_secret', 'private_key_jwt')),
  -- scrypt$<N>$<r>$<p>$<salt, base64url>$<hash, base64url>
  secret_hash text CHECK (secret_hash ~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$'),
  -- { "keys": [ public JWK, … ] }
  public_jwks jsonb CHECK (jsonb_typeof(public_jwks -> 'keys') = 'array'),
  scopes text[] NOT NULL,
  -- bearer requests per minute to /api/v1 and /fhir/R4, and token requests per minute to /oauth/token
  rate_per_minute integer NOT NULL CHECK (rate_per_minute BETWEEN 1 AND 1000000),
  token_rate_per_minute integer NOT NULL CHECK (token_rate_per_minute BETWEEN 1 AND 10000),
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  CHECK ((auth_method = 'client_secret') = (secret_hash IS NOT NULL)),
  CHECK ((auth_method = 'private_key_jwt') = (public_jwks IS NOT NULL))
);
CREATE INDEX oauth_clients_provider_idx ON oauth_clients (provider_id);

-- The jti of every client assertion (private_key_jwt) seen, until it expires: an assertion is
-- accepted once, by whichever process of the register sees it first. Rows past expires_at are
-- useless (an expired assertion is refused anyway) and are deleted from time to time.
CREATE TABLE oauth_assertion_jtis (
  client_id uuid NOT NULL REFERENCES oauth_clients (id),
  jti text NOT NULL CHECK (length(jti) BETWEEN 1 AND 200),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX oauth_assertion_jtis_expiry_idx ON oauth_assertion_jtis (expires_at);
