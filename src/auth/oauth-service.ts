// Authentication state shared by every route of one register process: the signing key, the rate
// limiter, and a short cache of client status. One AuthService per database (Services.auth), so
// /api/v1 and /fhir/R4 count a client's requests in the same bucket.

import type { Caller } from './caller.js';
import type { Queryable } from '../db/types.js';
import { authenticate as authenticateOpaqueToken } from './tokens.js';
import { looksLikeJwt, verifyAccessToken } from './access-tokens.js';
import { DEFAULT_RATE_PER_MINUTE, DEFAULT_TOKEN_RATE_PER_MINUTE, isClientId, type Scope } from './oauth-clients.js';
import { RateLimiter, type RateDecision } from './rate-limit.js';
import { defaultSecretFile, SigningKeyStore } from './signing-key.js';

export interface AuthOptions {
  /** The key file; default LIR_SECRET_FILE or <LIR_DATA_DIR or ./data>/lir-signing-key.json. */
  secretFile?: string;
  /** The register's public base URL (LIR_PUBLIC_URL), e.g. https://api.implantatenregister.nl. */
  publicUrl?: string;
  /** `iss` of access tokens; default the public URL, or urn:nl:lir without one. */
  issuer?: string;
  /** `aud` of access tokens: the register's APIs (/api/v1 and /fhir/R4) as one audience. */
  audience?: string;
  /** Requests per minute for a legacy bearer token (src/auth/tokens.ts). */
  legacyTokenRatePerMinute?: number;
  /** Token-endpoint requests per minute for a caller that names no known client (per address). */
  anonymousTokenRatePerMinute?: number;
  /** How long a client's status (revoked or not) may be served from memory. */
  clientCacheMs?: number;
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
}

export const DEFAULT_AUDIENCE = 'urn:nl:lir:register';

export interface ClientStatus {
  id: string;
  providerId: string;
  providerKvk: string;
  ratePerMinute: number;
  revoked: boolean;
}

export type BearerResult =
  | {
      ok: true;
      caller: Caller;
      /** What the token grants; null for a legacy token (everything its role allows). */
      scopes: Scope[] | null;
      rate: { key: string; perMinute: number };
    }
  | { ok: false; message: string };

export class AuthService {
  readonly keys: SigningKeyStore;
  readonly limiter: RateLimiter;
  readonly issuer: string;
  readonly audience: string;
  readonly publicUrl: string | undefined;
  readonly legacyTokenRatePerMinute: number;
  readonly anonymousTokenRatePerMinute: number;
  readonly clientCacheMs: number;
  readonly now: () => number;
  readonly #clients = new Map<string, { at: number; status: Promise<ClientStatus | undefined> }>();

  constructor(
    readonly db: Queryable,
    opts: AuthOptions = {},
  ) {
    const publicUrl = opts.publicUrl ?? process.env.LIR_PUBLIC_URL;
    this.publicUrl = publicUrl ? publicUrl.replace(/\/+$/, '') : undefined;
    this.issuer = opts.issuer ?? this.publicUrl ?? 'urn:nl:lir';
    this.audience = opts.audience ?? DEFAULT_AUDIENCE;
    this.keys = new SigningKeyStore(opts.secretFile ?? defaultSecretFile());
    this.now = opts.now ?? Date.now;
    this.limiter = new RateLimiter({ now: () => this.now() });
    this.legacyTokenRatePerMinute = opts.legacyTokenRatePerMinute ?? DEFAULT_RATE_PER_MINUTE;
    this.anonymousTokenRatePerMinute = opts.anonymousTokenRatePerMinute ?? DEFAULT_TOKEN_RATE_PER_MINUTE;
    this.clientCacheMs = opts.clientCacheMs ?? 5_000;
  }

  /** Whether the client exists and is active, from memory for at most clientCacheMs. */
  clientStatus(id: string): Promise<ClientStatus | undefined> {
    if (!isClientId(id)) return Promise.resolve(undefined);
    const now = this.now();
    const hit = this.#clients.get(id);
    if (hit && now - hit.at < this.clientCacheMs) return hit.status;
    if (this.#clients.size >= 10_000) this.#clients.clear();
    const status = this.db
      .query<{ id: string; provider_id: string; kvk: string; rate_per_minute: number; revoked_at: string | null }>(
        'SELECT c.id, c.provider_id, p.kvk, c.rate_per_minute, c.revoked_at FROM oauth_clients c JOIN providers p ON p.id = c.provider_id WHERE c.id = $1',
        [id],
      )
      .then(([r]) => (r ? { id: r.id, providerId: r.provider_id, providerKvk: r.kvk.trim(), ratePerMinute: r.rate_per_minute, revoked: r.revoked_at !== null } : undefined));
    this.#clients.set(id, { at: now, status });
    status.catch(() => this.#clients.delete(id));
    return status;
  }

  /** Drops a client from the cache (after revoking it in this process). */
  forgetClient(id: string): void {
    this.#clients.delete(id);
  }

  /** The caller a bearer token stands for: an access token of an OAuth client, or a legacy token. */
  async authenticateBearer(token: string): Promise<BearerResult> {
    if (looksLikeJwt(token)) {
      const v = await verifyAccessToken(this.keys, token, { issuer: this.issuer, audience: this.audience, now: this.now() });
      if (!v.ok) return v;
      const client = await this.clientStatus(v.clientId);
      if (!client || client.revoked) return { ok: false, message: 'the client this access token was issued to has been revoked' };
      if (client.providerKvk !== v.kvk) return { ok: false, message: 'the access token does not match its client' };
      return {
        ok: true,
        caller: { role: 'provider', providerId: client.providerId, providerKvk: client.providerKvk, subject: `client:${client.id}` },
        scopes: v.scopes,
        rate: { key: `client:${client.id}`, perMinute: client.ratePerMinute },
      };
    }
    const caller = await authenticateOpaqueToken(this.db, token);
    if (!caller) return { ok: false, message: 'the bearer token is unknown or revoked' };
    return { ok: true, caller, scopes: null, rate: { key: caller.subject, perMinute: this.legacyTokenRatePerMinute } };
  }

  /** Portal sessions live in this database; a session gets the legacy-token rate. */
  get sessions(): { db: Queryable; ratePerMinute: number } {
    return { db: this.db, ratePerMinute: this.legacyTokenRatePerMinute };
  }

  /** One request against the bucket of `key`. */
  takeRate(key: string, perMinute: number): RateDecision {
    return this.limiter.take(key, perMinute);
  }
}

const registered = new WeakMap<object, AuthService>();

/** Makes `auth` the AuthService of `db` (servicesFor does this), so that code holding only the db shares it. */
export function registerAuthService(db: Queryable, auth: AuthService): void {
  registered.set(db, auth);
}

/** The AuthService of `db`: the one servicesFor made, or a new one with default options. */
export function authServiceFor(db: Queryable): AuthService {
  let auth = registered.get(db);
  if (!auth) {
    auth = new AuthService(db);
    registered.set(db, auth);
  }
  return auth;
}
