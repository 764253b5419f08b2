import { createHash } from 'node:crypto';
import { CONTENT_FIELDS, type RegisterRecord } from '../domain/record.js';

/** Hash of everything a provider can change; equal hashes make a re-delivery a no-op. */
export function contentHash(r: RegisterRecord): string {
  const values = CONTENT_FIELDS.map((f) => r[f] ?? null);
  return createHash('sha256').update(JSON.stringify(values)).digest('base64url');
}
