// Bearer tokens (interim, until OAuth client credentials): random, shown once, stored as SHA-256.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../db/types.js';
import type { Caller } from './caller.js';

export type TokenRole = 'provider' | 'inspector' | 'registry-admin';

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');

export async function createToken(q: Queryable, opts: { role: TokenRole; providerId?: string; label: string; token?: string }): Promise<{ id: string; token: string }> {
  const token = opts.token ?? `lir_${randomBytes(32).toString('base64url')}`;
  const id = randomUUID();
  await q.query('INSERT INTO api_tokens (id, token_hash, role, provider_id, label) VALUES ($1, $2, $3, $4, $5)', [
    id,
    hash(token),
    opts.role,
    opts.role === 'provider' ? opts.providerId : null,
    opts.label,
  ]);
  return { id, token };
}

/** The caller a bearer token stands for, or undefined for an unknown or revoked token. */
export async function authenticate(q: Queryable, token: string): Promise<Caller | undefined> {
  if (token.length < 16 || token.length > 200) return undefined;
  const [row] = await q.query<{ id: string; role: TokenRole; provider_id: string | null; kvk: string | null }>(
    `SELECT t.id, t.role, t.provider_id, p.kvk FROM api_tokens t LEFT JOIN providers p ON p.id = t.provider_id
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL`,
    [hash(token)],
  );
  if (!row) return undefined;
  const subject = `token:${row.id}`;
  if (row.role === 'provider') return { role: 'provider', subject, providerId: row.provider_id!, providerKvk: row.kvk! };
  return { role: row.role, subject };
}

export async function revokeToken(q: Queryable, id: string): Promise<boolean> {
  const rows = await q.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [id]);
  return rows.length > 0;
}
