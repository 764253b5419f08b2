// The register's half of a TTP key rotation (docs/ttp.md): old → new pseudonym pairs from the TTP
// replace the old pseudonyms everywhere the register keeps them — the record, its distribution key
// (`patient_key`, Citus-ready: the pseudonym when the record was created with one), its versions'
// content and content hashes (so a provider re-delivering with the new pseudonym is a no-op), and
// the reference index. Afterwards no old pseudonym is left to link with, which is the point of
// rotating a key that may be compromised. The access log keeps what it logged (it is append-only).

import type { Db, Queryable } from '../db/types.js';
import { isPseudonym } from '../domain/identifiers.js';
import type { RegisterRecord } from '../domain/record.js';
import { requireRole, type Caller } from '../auth/caller.js';
import { appendAudit } from '../privacy/audit-log.js';
import { contentHash } from './content-hash.js';

export interface RekeyPair {
  old: string;
  new: string;
}

export interface RekeySummary {
  pairs: number;
  /** Pairs whose old pseudonym no record carries. */
  unused: number;
  records: number;
  versions: number;
}

export class RekeyError extends Error {
  readonly code = 'INVALID_PAIR';
  constructor(
    message: string,
    /** 0-based index of the pair. */
    readonly index: number,
  ) {
    super(message);
  }
}

const CHUNK = 500;

/** Checks every pair before anything changes: both pseudonyms well-formed, different, each old once. */
export function checkPairs(pairs: readonly RekeyPair[]): void {
  const seen = new Set<string>();
  pairs.forEach((p, i) => {
    if (!isPseudonym(p.old)) throw new RekeyError(`pair ${i + 1}: the old value is not a pseudonym (label:value)`, i);
    if (!isPseudonym(p.new)) throw new RekeyError(`pair ${i + 1}: the new value is not a pseudonym (label:value)`, i);
    if (p.old === p.new) throw new RekeyError(`pair ${i + 1}: old and new are the same`, i);
    if (seen.has(p.old)) throw new RekeyError(`pair ${i + 1}: this old pseudonym was already paired`, i);
    seen.add(p.old);
  });
}

/** Applies the pairs, one transaction per chunk of 500 (a rerun after a crash finds the done ones unused). */
export async function applyRekeyPairs(db: Db, caller: Caller, pairs: readonly RekeyPair[], onProgress?: (done: number) => void): Promise<RekeySummary> {
  requireRole(caller, 'operator', 'registry-admin');
  checkPairs(pairs);
  const summary: RekeySummary = { pairs: pairs.length, unused: 0, records: 0, versions: 0 };
  for (let start = 0; start < pairs.length; start += CHUNK) {
    const chunk = pairs.slice(start, start + CHUNK);
    const part = await db.transaction((tx) => applyChunk(tx, chunk));
    await appendAudit(db, caller, [{ eventCode: 'pseudonym-rekey', action: 'U', objectType: 'Pseudonym', query: { pairs: chunk.length }, resultCount: part.records }]);
    summary.unused += part.unused;
    summary.records += part.records;
    summary.versions += part.versions;
    onProgress?.(Math.min(pairs.length, start + CHUNK));
  }
  return summary;
}

async function applyChunk(tx: Queryable, pairs: readonly RekeyPair[]): Promise<Omit<RekeySummary, 'pairs'>> {
  const next = new Map(pairs.map((p) => [p.old, p.new]));
  const records = await tx.query<{ id: string; patient_key: string; patient_pseudonym: string }>(
    'SELECT id, patient_key, patient_pseudonym FROM records WHERE patient_pseudonym = ANY($1::text[])',
    [[...next.keys()]],
  );
  const used = new Set(records.map((r) => r.patient_pseudonym));
  let versions = 0;
  for (const r of records) {
    const to = next.get(r.patient_pseudonym)!;
    const newKey = r.patient_key === r.patient_pseudonym ? to : r.patient_key;
    const rows = await tx.query<{ version: number; content: Record<string, unknown> }>('SELECT version, content FROM record_versions WHERE record_id = $1 ORDER BY version', [r.id]);
    let latestHash: string | null = null;
    for (const v of rows) {
      const carries = typeof v.content.patientPseudonym === 'string' && next.has(v.content.patientPseudonym as string);
      const content = carries ? { ...v.content, patientPseudonym: next.get(v.content.patientPseudonym as string) } : v.content;
      // a withdrawal's content holds only its status: it keeps the hash it had
      const hash = 'kind' in content ? contentHash(content as unknown as RegisterRecord) : null;
      if (hash) latestHash = hash;
      await tx.query(
        `UPDATE record_versions SET patient_key = $3, content = $4::jsonb${hash ? ', content_hash = $5' : ''} WHERE record_id = $1 AND version = $2`,
        hash ? [r.id, v.version, newKey, JSON.stringify(content), hash] : [r.id, v.version, newKey, JSON.stringify(content)],
      );
      versions++;
    }
    await tx.query(
      `UPDATE records SET patient_key = $2, patient_pseudonym = $3${latestHash ? ', content_hash = $4' : ''} WHERE id = $1`,
      latestHash ? [r.id, newKey, to, latestHash] : [r.id, newKey, to],
    );
    if (newKey !== r.patient_key) await tx.query('UPDATE record_refs SET patient_key = $2 WHERE record_id = $1', [r.id, newKey]);
  }
  return { unused: pairs.filter((p) => !used.has(p.old)).length, records: records.length, versions };
}
