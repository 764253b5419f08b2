// `lir certificates import <file>`: certificates with their status changes from CSV or NDJSON.
//
// CSV: one row per certificate, device and (optionally) status change; rows of the same
// certificate (notified body + number + version) add devices and status changes to it.
// NDJSON: one certificate per line in the shape of POST /api/v1/certificates.
// Valid rows are written in chunks (one transaction each); a repeated file changes nothing.

import { OPERATOR, type Caller } from '../auth/caller.js';
import type { Db } from '../db/types.js';
import { importSafetyRows, snake, type FileProblem, type FileSpec } from './certificate-recall-files.js';
import { parseCertificateInput, saveCertificate } from './certificates.js';

export const CERTIFICATE_COLUMNS = [
  'udi_di',
  'nb_number',
  'nb_name',
  'certificate_number',
  'certificate_version',
  'valid_from',
  'valid_until',
  'status',
  'effective_from',
  'reason_code',
] as const;

const REQUIRED = ['udi_di', 'nb_number', 'nb_name', 'certificate_number', 'certificate_version', 'valid_from', 'valid_until'];

export const CERTIFICATE_FILE: FileSpec = {
  columns: CERTIFICATE_COLUMNS,
  required: REQUIRED,
  fromCsv: (v) => ({
    udiDis: v.udi_di === undefined ? undefined : [v.udi_di],
    nbNumber: v.nb_number,
    nbName: v.nb_name,
    certificateNumber: v.certificate_number,
    certificateVersion: v.certificate_version,
    validFrom: v.valid_from,
    validUntil: v.valid_until,
    statusChanges:
      v.status !== undefined || v.effective_from !== undefined || v.reason_code !== undefined
        ? [{ status: v.status, effectiveFrom: v.effective_from, reasonCode: v.reason_code }]
        : undefined,
  }),
  columnOf: (pointer) => {
    const name = pointer.split('/').filter((s) => s !== '' && !/^\d+$/.test(s)).at(-1) ?? '';
    if (name === 'udiDis') return 'udi_di';
    if (name === 'statusChanges') return 'status';
    return snake(name);
  },
};

export interface CertificateImportResult {
  rows: number;
  accepted: number;
  rejected: number;
  /** Certificates new to the register. */
  created: number;
  /** Status rows written (the initial "valid" of a new certificate included). */
  statusesAdded: number;
  problems: FileProblem[];
}

const CHUNK = 500;

export async function importCertificates(db: Db, path: string, opts: { caller?: Caller; onRow?: (rows: number) => void } = {}): Promise<CertificateImportResult> {
  const caller = opts.caller ?? OPERATOR;
  let created = 0;
  let statusesAdded = 0;
  const counts = await importSafetyRows(path, CERTIFICATE_FILE, parseCertificateInput, CHUNK, (list) =>
    db.transaction(async (tx) => {
      for (const input of list) {
        const saved = await saveCertificate(tx, caller, input, 'merge');
        if (saved.created) created++;
        statusesAdded += saved.statusesAdded;
      }
    }),
  opts.onRow);
  return { ...counts, created, statusesAdded };
}
