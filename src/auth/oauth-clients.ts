// OAuth clients for systems: one client per EHR connection, bound to one provider (its KvK).
// A client authenticates with a secret (stored only as an scrypt hash) or with its own key pair
// (private_key_jwt; the register keeps only the public JWK Set). docs/oauth.md.

import { createPublicKey, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import type { Queryable } from '../db/types.js';
import { generateSecret, hashSecret } from './secret-hash.js';

export type ClientAuthMethod = 'client_secret' | 'private_key_jwt';

/** What a token may do. `system/*.*` asks for both. */
export const SCOPES = ['system/*.read', 'system/*.write'] as const;
export type Scope = (typeof SCOPES)[number];

/** Algorithms a client may sign its assertion with (RFC 7523 client authentication). */
export const ASSERTION_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'RS384'] as const;

export const DEFAULT_RATE_PER_MINUTE = 600;
export const DEFAULT_TOKEN_RATE_PER_MINUTE = 30;

export interface OAuthClient {
  id: string;
  providerId: string;
  providerKvk: string;
  providerName: string;
  authMethod: ClientAuthMethod;
  scopes: Scope[];
  ratePerMinute: number;
  tokenRatePerMinute: number;
  label: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

/** The client as the token endpoint needs it: with the secret hash or the public keys. */
export interface OAuthClientCredentials extends OAuthClient {
  secretHash: string | null;
  publicJwks: { keys: JWK[] } | null;
}

export class OAuthClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Client ids are UUIDs; anything else is unknown without asking the database. */
export const isClientId = (s: string): boolean => UUID.test(s);

interface ClientRow {
  id: string;
  provider_id: string;
  kvk: string;
  provider_name: string;
  auth_method: ClientAuthMethod;
  secret_hash: string | null;
  public_jwks: { keys: JWK[] } | null;
  scopes: string[] | string;
  rate_per_minute: number;
  token_rate_per_minute: number;
  label: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}

const SELECT = `SELECT c.id, c.provider_id, p.kvk, p.name AS provider_name, c.auth_method, c.secret_hash, c.public_jwks, c.scopes,
  c.rate_per_minute, c.token_rate_per_minute, c.label, c.created_by, c.created_at, c.revoked_at
  FROM oauth_clients c JOIN providers p ON p.id = c.provider_id`;

/** text[] arrives as an array from `pg` and PGlite; a literal '{a,b}' is parsed just in case. */
function textArray(v: string[] | string): string[] {
  if (Array.isArray(v)) return v;
  return v.replace(/^\{|\}$/g, '').split(',').filter(Boolean).map((s) => s.replace(/^"|"$/g, ''));
}

function toClient(r: ClientRow): OAuthClientCredentials {
  return {
    id: r.id,
    providerId: r.provider_id,
    providerKvk: r.kvk.trim(),
    providerName: r.provider_name,
    authMethod: r.auth_method,
    scopes: textArray(r.scopes).filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)),
    ratePerMinute: r.rate_per_minute,
    tokenRatePerMinute: r.token_rate_per_minute,
    label: r.label,
    createdBy: r.created_by,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    secretHash: r.secret_hash,
    publicJwks: r.public_jwks,
  };
}

function publicView(c: OAuthClientCredentials): OAuthClient {
  const { secretHash: _s, publicJwks: _k, ...rest } = c;
  return rest;
}

/**
 * Parses a scope request (`system/*.read system/*.write`, or `system/*.*` for both) into the
 * register's scopes. Returns undefined when a token is not one the register knows.
 */
export function parseScopes(text: string): Scope[] | undefined {
  const out = new Set<Scope>();
  for (const token of text.split(' ').filter(Boolean)) {
    if (token === 'system/*.*') {
      for (const s of SCOPES) out.add(s);
    } else if ((SCOPES as readonly string[]).includes(token)) out.add(token as Scope);
    else return undefined;
  }
  return SCOPES.filter((s) => out.has(s));
}

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use'] as const;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function algsFor(jwk: JWK): string[] {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return ['ES256'];
  if (jwk.kty === 'EC' && jwk.crv === 'P-384') return ['ES384'];
  if (jwk.kty === 'RSA') return ['RS256', 'RS384'];
  return [];
}

/**
 * Reads a client's public key(s): a JWK, a JWK Set, or a PEM public key (SPKI). Refuses private
 * keys, key types other than EC P-256 / P-384 and RSA ≥ 2048 bits, and keys jose cannot import.
 * Keys without a kid get their RFC 7638 thumbprint as kid.
 */
export async function parsePublicKeys(text: string): Promise<{ keys: JWK[] }> {
  const trimmed = text.trim();
  if (/PRIVATE KEY-----/.test(trimmed)) throw new OAuthClientError('PRIVATE_KEY', 'this is a private key: register only the public key (the private key never leaves the client)');
  let raw: unknown;
  if (trimmed.startsWith('-----BEGIN')) {
    try {
      raw = createPublicKey(trimmed).export({ format: 'jwk' });
    } catch {
      throw new OAuthClientError('INVALID_KEY', 'the PEM text is not a public key (expected -----BEGIN PUBLIC KEY-----)');
    }
  } else {
    try {
      raw = JSON.parse(trimmed);
    } catch {
      throw new OAuthClientError('INVALID_KEY', 'the key file is neither JSON (a JWK or JWK Set) nor a PEM public key');
    }
  }
  const list: unknown[] = raw && typeof raw === 'object' && Array.isArray((raw as { keys?: unknown }).keys) ? (raw as { keys: unknown[] }).keys : [raw];
  if (list.length === 0 || list.length > 10) throw new OAuthClientError('INVALID_KEY', 'give one to ten public keys');
  const keys: JWK[] = [];
  for (const [i, item] of list.entries()) {
    const where = list.length > 1 ? `key ${i + 1}: ` : '';
    if (!item || typeof item !== 'object' || Array.isArray(item)) throw new OAuthClientError('INVALID_KEY', `${where}not a JWK object`);
    const jwk = item as Record<string, unknown>;
    if (PRIVATE_MEMBERS.some((m) => m in jwk)) throw new OAuthClientError('PRIVATE_KEY', `${where}this JWK holds private key material: register only the public key`);
    const algs = algsFor(jwk as JWK);
    if (algs.length === 0) throw new OAuthClientError('INVALID_KEY', `${where}key type ${String(jwk.kty)}${jwk.crv ? ` ${String(jwk.crv)}` : ''} is not supported: use EC P-256 (ES256), EC P-384 (ES384) or RSA (RS256, RS384)`);
    if (jwk.use !== undefined && jwk.use !== 'sig') throw new OAuthClientError('INVALID_KEY', `${where}"use" must be "sig"`);
    if (jwk.alg !== undefined && !algs.includes(String(jwk.alg))) throw new OAuthClientError('INVALID_KEY', `${where}"alg" ${String(jwk.alg)} does not fit this key; use ${algs.join(' or ')}`);
    if (jwk.kty === 'RSA' && typeof jwk.n === 'string' && Buffer.from(jwk.n, 'base64url').length * 8 < 2048) {
      throw new OAuthClientError('INVALID_KEY', `${where}RSA keys must have at least 2048 bits`);
    }
    if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid.length === 0 || jwk.kid.length > 200)) throw new OAuthClientError('INVALID_KEY', `${where}"kid" must be a string of 1–200 characters`);
    const clean: Record<string, unknown> = {};
    for (const m of PUBLIC_MEMBERS) if (jwk[m] !== undefined) clean[m] = jwk[m];
    try {
      await importJWK(clean as JWK, (clean.alg as string | undefined) ?? algs[0]);
    } catch (err) {
      throw new OAuthClientError('INVALID_KEY', `${where}the key cannot be used: ${(err as Error).message}`);
    }
    clean.kid ??= await calculateJwkThumbprint(clean as JWK);
    keys.push(clean as JWK);
  }
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) throw new OAuthClientError('INVALID_KEY', 'two keys have the same kid');
  return { keys };
}

export interface CreateClientInput {
  providerId: string;
  /** Public key(s) for private_key_jwt; absent = a client secret is generated. */
  publicJwks?: { keys: JWK[] };
  scopes?: Scope[];
  ratePerMinute?: number;
  tokenRatePerMinute?: number;
  label?: string;
  createdBy?: string;
}

/** Creates a client. The secret (secret clients only) is returned here and never again. */
export async function createClient(q: Queryable, input: CreateClientInput): Promise<{ client: OAuthClient; secret?: string }> {
  const rate = input.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE;
  const tokenRate = input.tokenRatePerMinute ?? DEFAULT_TOKEN_RATE_PER_MINUTE;
  if (!Number.isInteger(rate) || rate < 1 || rate > 1_000_000) throw new OAuthClientError('INVALID_RATE', 'the rate must be a whole number of requests per minute from 1 to 1000000');
  if (!Number.isInteger(tokenRate) || tokenRate < 1 || tokenRate > 10_000) throw new OAuthClientError('INVALID_RATE', 'the token rate must be a whole number of requests per minute from 1 to 10000');
  const scopes = input.scopes ?? [...SCOPES];
  if (scopes.length === 0) throw new OAuthClientError('INVALID_SCOPE', 'a client needs at least one scope');
  const label = input.label ?? 'EHR connection';
  if (label.length < 1 || label.length > 200) throw new OAuthClientError('INVALID_LABEL', 'the label must be 1–200 characters');
  const id = randomUUID();
  const secret = input.publicJwks ? undefined : generateSecret();
  const secretHash = secret ? await hashSecret(secret) : null;
  await q.query(
    `INSERT INTO oauth_clients (id, provider_id, auth_method, secret_hash, public_jwks, scopes, rate_per_minute, token_rate_per_minute, label, created_by)
     VALUES ($1, $2, $3, $4, $5::jsonb, ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), $7, $8, $9, $10)`,
    [id, input.providerId, secret ? 'client_secret' : 'private_key_jwt', secretHash, input.publicJwks ? JSON.stringify(input.publicJwks) : null, JSON.stringify(scopes), rate, tokenRate, label, input.createdBy ?? 'cli'],
  );
  const client = await findClient(q, id);
  return { client: publicView(client!), ...(secret ? { secret } : {}) };
}

/** The client with its credentials, revoked or not; undefined for an unknown or malformed id. */
export async function findClient(q: Queryable, id: string): Promise<OAuthClientCredentials | undefined> {
  if (!isClientId(id)) return undefined;
  const [row] = await q.query<ClientRow>(`${SELECT} WHERE c.id = $1`, [id]);
  return row ? toClient(row) : undefined;
}

export async function listClients(q: Queryable, opts: { providerId?: string } = {}): Promise<OAuthClient[]> {
  const rows = opts.providerId
    ? await q.query<ClientRow>(`${SELECT} WHERE c.provider_id = $1 ORDER BY c.created_at, c.id`, [opts.providerId])
    : await q.query<ClientRow>(`${SELECT} ORDER BY p.kvk, c.created_at, c.id`);
  return rows.map((r) => publicView(toClient(r)));
}

/** Revokes a client: its secret or key and every access token it holds stop working. */
export async function revokeClient(q: Queryable, id: string): Promise<boolean> {
  if (!isClientId(id)) return false;
  const rows = await q.query('UPDATE oauth_clients SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [id]);
  return rows.length > 0;
}
