// `lir recalls import <file>`: recalls and field safety notices from CSV or NDJSON.
//
// CSV: one row per lot, serial range, or "all units" of a recall; rows with the same reference
// and UDI-DI add to one recall. NDJSON: one recall per line in the shape of POST /api/v1/recalls.
// Valid rows are written in chunks (one transaction each, set-based); a repeated file changes nothing.

import { OPERATOR, type Caller } from '../auth/caller.js';
import type { Db } from '../db/types.js';
import { importSafetyRows, snake, type FileProblem, type FileSpec } from './certificate-recall-files.js';
import { parseRecallInput, saveRecalls } from './recalls.js';

export const RECALL_COLUMNS = ['reference', 'kind', 'udi_di', 'issued_on', 'lot', 'serial_from', 'serial_to', 'all_units'] as const;

const bool = (v: string | undefined): unknown => (v === undefined ? undefined : v === 'true' ? true : v === 'false' ? false : v);

export const RECALL_FILE: FileSpec = {
  columns: RECALL_COLUMNS,
  required: ['reference', 'kind', 'udi_di', 'issued_on'],
  fromCsv: (v) => ({
    reference: v.reference,
    kind: v.kind,
    udiDi: v.udi_di,
    issuedOn: v.issued_on,
    allUnits: bool(v.all_units),
    lots: v.lot === undefined ? undefined : [v.lot],
    serialRanges: v.serial_from !== undefined || v.serial_to !== undefined ? [{ from: v.serial_from, to: v.serial_to }] : undefined,
  }),
  columnOf: (pointer) => {
    const parts = pointer.split('/').filter((s) => s !== '' && !/^\d+$/.test(s));
    if (parts[0] === 'lots') return 'lot';
    if (parts[0] === 'serialRanges') return parts[1] === 'to' ? 'serial_to' : 'serial_from';
    return snake(parts.at(-1) ?? '');
  },
};

export interface RecallImportResult {
  rows: number;
  accepted: number;
  rejected: number;
  /** Recalls (reference + UDI-DI) new to the register. */
  created: number;
  problems: FileProblem[];
}

const CHUNK = 2000;

export async function importRecalls(db: Db, path: string, opts: { caller?: Caller; onRow?: (rows: number) => void } = {}): Promise<RecallImportResult> {
  const caller = opts.caller ?? OPERATOR;
  let created = 0;
  const counts = await importSafetyRows(path, RECALL_FILE, parseRecallInput, CHUNK, async (list) => {
    created += (await db.transaction((tx) => saveRecalls(tx, caller, list, 'merge'))).created;
  }, opts.onRow);
  return { ...counts, created };
}
