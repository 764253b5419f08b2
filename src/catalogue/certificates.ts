// Notified bodies' certificates per device (UDI-DI) with their append-only status history:
// input checks, storage, reads, and the intake's set-based certificate check.
// Access policy lives here, not in the routes: the registry administrator records certificates,
// the registry administrator or the inspectorate records status changes, both may read.

import { randomUUID } from 'node:crypto';
import { requireRole, type Caller } from '../auth/caller.js';
import type { Queryable } from '../db/types.js';
import { dateOf } from '../domain/dates.js';
import type { Issue } from '../domain/record.js';
import { AlreadyExists, checkUdiDi, FieldReader, InvalidInput, NotFound, type InputIssue, type Parsed } from './certificate-recall-input.js';
import {
  alertPeriods,
  alertsOn,
  CERTIFICATE_STATUSES,
  nbLabel,
  statusOn,
  statusPeriods,
  type AlertPeriod,
  type CertificateStatus,
  type CertificateCore,
  type CertificateWithHistory,
  type StatusEntry,
  type StatusPeriod,
} from './certificate-status.js';

/** Why a status was recorded. A closed list: codes can be counted, free text cannot. */
export const CERTIFICATE_REASONS = [
  'issued',
  'renewed',
  'technical-documentation',
  'quality-system',
  'clinical-evidence',
  'post-market-surveillance',
  'vigilance',
  'audit-findings',
  'corrective-action-completed',
  'manufacturer-request',
  'notified-body-designation',
  'end-of-validity',
  'correction',
  'other',
] as const;
export type CertificateReason = (typeof CERTIFICATE_REASONS)[number];

export interface StatusChangeInput {
  status: CertificateStatus;
  effectiveFrom: string;
  reasonCode: CertificateReason | null;
}

export interface CertificateInput extends Omit<CertificateCore, 'id'> {
  udiDis: string[];
  /** Status changes after issue; the certificate starts as valid on validFrom. */
  statusChanges: StatusChangeInput[];
}

export interface CertificateView extends CertificateCore {
  /** "NB 0344" */
  notifiedBody: string;
  udiDis: string[];
  /** The status today (null before validFrom). */
  status: CertificateStatus | null;
  /** The status on the date asked for (`on`), when asked. */
  statusOn?: { date: string; status: CertificateStatus | null };
  history: (Omit<StatusEntry, 'seq' | 'recordedAt'> & { recordedAt: string })[];
  periods: StatusPeriod[];
}

const CERTIFICATE_FIELDS = ['udiDis', 'nbNumber', 'nbName', 'certificateNumber', 'certificateVersion', 'validFrom', 'validUntil', 'statusChanges'] as const;
const STATUS_FIELDS = ['status', 'effectiveFrom', 'reasonCode'] as const;
const MAX_DEVICES = 10_000;
const MAX_CHANGES = 1_000;

/** "0344" or "NB 0344" → "0344"; null (with an issue) otherwise. */
function nbNumberOf(r: FieldReader): string | null {
  const v = r.obj.nbNumber;
  if (typeof v === 'number') {
    r.err('nbNumber', 'INVALID_TYPE', 'nbNumber must be a string of 4 digits, e.g. "0344" (a number loses its leading zeros)');
    return null;
  }
  const s = r.text('nbNumber', { required: true, max: 20, label: "nbNumber (the notified body's 4-digit number)" });
  if (s === null) return null;
  const m = /^(?:NB\s*)?(\d{4})$/i.exec(s);
  if (!m) {
    r.err('nbNumber', 'INVALID_FORMAT', 'nbNumber must be the notified body’s 4-digit number, e.g. 0344 (shown as NB 0344)');
    return null;
  }
  return m[1]!;
}

/** Checks one status change; `validFrom` (when known) bounds its effective date. */
export function parseStatusChange(body: unknown, base = '', validFrom?: string | null): Parsed<StatusChangeInput> {
  const errors: InputIssue[] = [];
  const r = FieldReader.of(body, base, errors, 'a status change');
  if (!r) return { ok: false, errors };
  r.onlyKnown(STATUS_FIELDS);
  const status = r.oneOf('status', CERTIFICATE_STATUSES);
  const effectiveFrom = r.date('effectiveFrom');
  const reasonCode = r.oneOf('reasonCode', CERTIFICATE_REASONS, false);
  if (effectiveFrom && validFrom && effectiveFrom < validFrom) {
    r.err('effectiveFrom', 'DATE_ORDER', `effectiveFrom ${effectiveFrom} is before the certificate's validFrom ${validFrom}`);
  }
  if (errors.length > 0 || !status || !effectiveFrom) return { ok: false, errors };
  return { ok: true, value: { status, effectiveFrom, reasonCode } };
}

/** Checks a certificate (REST body, NDJSON line, or a CSV row turned into this shape). */
export function parseCertificateInput(body: unknown): Parsed<CertificateInput> {
  const errors: InputIssue[] = [];
  const r = FieldReader.of(body, '', errors, 'a certificate');
  if (!r) return { ok: false, errors };
  r.onlyKnown(CERTIFICATE_FIELDS);
  const udiDis: string[] = [];
  const dis = r.list('udiDis', MAX_DEVICES);
  if (dis === null || dis.length === 0) {
    if (!errors.some((e) => e.path === '/udiDis')) r.err('udiDis', 'REQUIRED', 'udiDis must list the UDI-DIs the certificate covers (at least one)');
  } else {
    dis.forEach((d, i) => {
      const di = checkUdiDi(d, Array.isArray(r.obj.udiDis) ? `/udiDis/${i}` : '/udiDis', errors);
      if (di !== null && !udiDis.includes(di)) udiDis.push(di);
    });
  }
  const nbNumber = nbNumberOf(r);
  const nbName = r.text('nbName', { required: true, label: "nbName (the notified body's name)" });
  const certificateNumber = r.text('certificateNumber', { required: true, max: 100 });
  const certificateVersion = r.text('certificateVersion', { required: true, max: 40 });
  const validFrom = r.date('validFrom');
  const validUntil = r.date('validUntil');
  if (validFrom && validUntil && validUntil < validFrom) {
    r.err('validUntil', 'DATE_ORDER', `validUntil ${validUntil} is before validFrom ${validFrom}`);
  }
  const statusChanges: StatusChangeInput[] = [];
  const changes = r.list('statusChanges', MAX_CHANGES);
  if (changes !== null && !Array.isArray(r.obj.statusChanges)) {
    r.err('statusChanges', 'INVALID_TYPE', 'statusChanges must be a list of { status, effectiveFrom, reasonCode }');
  } else if (changes) {
    changes.forEach((c, i) => {
      const p = parseStatusChange(c, `/statusChanges/${i}`, validFrom);
      if (p.ok) statusChanges.push(p.value);
      else errors.push(...p.errors);
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { udiDis, nbNumber: nbNumber!, nbName: nbName!, certificateNumber: certificateNumber!, certificateVersion: certificateVersion!, validFrom: validFrom!, validUntil: validUntil!, statusChanges } };
}

/** The registry administrator (CIBG) records certificates; the operator at the command line too. */
export const mayRecordCertificates = (caller: Caller): void => requireRole(caller, 'registry-admin', 'operator');
/** A status change may come from the registry administrator or the inspectorate. */
export const mayChangeCertificateStatus = (caller: Caller): void => requireRole(caller, 'registry-admin', 'inspector', 'operator');
/** Certificates are read by the inspectorate and the registry administrator. */
export const mayReadCertificates = (caller: Caller): void => requireRole(caller, 'inspector', 'registry-admin', 'operator');

const recorder = (caller: Caller) => `${caller.role}:${caller.subject}`;

export interface SaveResult {
  id: string;
  created: boolean;
  /** Status rows written now (an identical repeat is not written again). */
  statusesAdded: number;
}

/**
 * Stores a certificate. A new one starts with status valid on validFrom (reason `issued`); the
 * status changes are appended. `ifExists: 'fail'` (REST) refuses a certificate that is already
 * there (same notified body, number and version); `'merge'` (files) updates its name and dates,
 * adds devices and appends the status changes it does not have yet. Run it in a transaction.
 */
export async function saveCertificate(tx: Queryable, caller: Caller, input: CertificateInput, ifExists: 'fail' | 'merge'): Promise<SaveResult> {
  mayRecordCertificates(caller);
  const by = recorder(caller);
  const [inserted] = await tx.query<{ id: string }>(
    `INSERT INTO certificates (id, nb_number, nb_name, certificate_number, certificate_version, valid_from, valid_until, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (nb_number, certificate_number, certificate_version) DO NOTHING RETURNING id`,
    [randomUUID(), input.nbNumber, input.nbName, input.certificateNumber, input.certificateVersion, input.validFrom, input.validUntil, by],
  );
  let id: string;
  let statusesAdded = 0;
  if (inserted) {
    id = inserted.id;
    await tx.query(
      `INSERT INTO certificate_status_history (certificate_id, status, effective_from, reason_code, recorded_by) VALUES ($1, 'valid', $2, 'issued', $3)`,
      [id, input.validFrom, by],
    );
    statusesAdded++;
  } else {
    const [existing] = await tx.query<{ id: string }>(
      'SELECT id FROM certificates WHERE nb_number = $1 AND certificate_number = $2 AND certificate_version = $3',
      [input.nbNumber, input.certificateNumber, input.certificateVersion],
    );
    id = existing!.id;
    if (ifExists === 'fail') {
      throw new AlreadyExists(
        'CERTIFICATE_EXISTS',
        `certificate ${input.certificateNumber} version ${input.certificateVersion} of ${nbLabel(input.nbNumber)} is already registered (id ${id}); record status changes with POST /api/v1/certificates/${id}/status`,
        id,
      );
    }
    await tx.query(
      `UPDATE certificates SET nb_name = $2, valid_from = $3, valid_until = $4, updated_at = now()
       WHERE id = $1 AND (nb_name, valid_from, valid_until) IS DISTINCT FROM ($2, $3::date, $4::date)`,
      [id, input.nbName, input.validFrom, input.validUntil],
    );
  }
  await tx.query(
    `INSERT INTO certificate_devices (certificate_id, udi_di) SELECT $1, d FROM unnest($2::text[]) AS d ON CONFLICT DO NOTHING`,
    [id, input.udiDis],
  );
  for (const change of input.statusChanges) if (await appendStatus(tx, id, change, by)) statusesAdded++;
  return { id, created: !!inserted, statusesAdded };
}

/**
 * Appends one status row unless the history already has that row (same effective date and status,
 * and the same reason or none given): delivering a file or a request twice is a no-op, also after
 * a correction was recorded in between (the correction stays in force).
 */
async function appendStatus(tx: Queryable, certificateId: string, change: StatusChangeInput, by: string): Promise<boolean> {
  const rows = await tx.query<{ id: number }>(
    `INSERT INTO certificate_status_history (certificate_id, status, effective_from, reason_code, recorded_by)
     SELECT $1::uuid, $2::text, $3::date, $4::text, $5::text
     WHERE NOT EXISTS (
       SELECT 1 FROM certificate_status_history
       WHERE certificate_id = $1::uuid AND effective_from = $3::date AND status = $2::text AND ($4::text IS NULL OR reason_code = $4::text))
     RETURNING id`,
    [certificateId, change.status, change.effectiveFrom, change.reasonCode, by],
  );
  return rows.length > 0;
}

/** Records a status change of a stored certificate (registry administrator or inspectorate). */
export async function addStatusChange(tx: Queryable, caller: Caller, certificateId: string, change: StatusChangeInput): Promise<{ added: boolean }> {
  mayChangeCertificateStatus(caller);
  const [cert] = /^[0-9a-f-]{36}$/i.test(certificateId)
    ? await tx.query<{ id: string; valid_from: string }>('SELECT id, valid_from FROM certificates WHERE id = $1 FOR UPDATE', [certificateId])
    : [];
  if (!cert) throw new NotFound(`there is no certificate ${certificateId.slice(0, 40)}`);
  if (change.effectiveFrom < cert.valid_from) {
    throw new InvalidInput([{ code: 'DATE_ORDER', message: `effectiveFrom ${change.effectiveFrom} is before the certificate's validFrom ${cert.valid_from}`, path: '/effectiveFrom' }]);
  }
  return { added: await appendStatus(tx, cert.id, change, recorder(caller)) };
}

interface CertificateRow {
  udi_di: string;
  id: string;
  nb_number: string;
  nb_name: string;
  certificate_number: string;
  certificate_version: string;
  valid_from: string;
  valid_until: string;
  history: { seq: number; status: CertificateStatus; effectiveFrom: string; reasonCode: string | null; recordedAt: string }[];
}

/**
 * Every certificate of the given devices with its history, in one query. `withAlertsOnly` keeps
 * devices that have at least one suspended or withdrawn certificate (with all their certificates,
 * because a renewed version can cover a suspended one). Without `udiDis`, every device.
 */
export async function loadCertificatesOfDevices(q: Queryable, opts: { udiDis?: readonly string[]; withAlertsOnly?: boolean }): Promise<Map<string, CertificateWithHistory[]>> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (opts.udiDis) {
    params.push(opts.udiDis);
    where.push(`cd.udi_di = ANY($${params.length}::text[])`);
  }
  if (opts.withAlertsOnly) {
    where.push(`cd.udi_di IN (SELECT a.udi_di FROM certificate_devices a
      JOIN certificate_status_history ah ON ah.certificate_id = a.certificate_id AND ah.status IN ('suspended', 'withdrawn'))`);
  }
  const rows = await q.query<CertificateRow>(
    `SELECT cd.udi_di, c.id, c.nb_number, c.nb_name, c.certificate_number, c.certificate_version, c.valid_from, c.valid_until,
       coalesce(jsonb_agg(jsonb_build_object('seq', h.id, 'status', h.status, 'effectiveFrom', h.effective_from, 'reasonCode', h.reason_code,
         'recordedAt', h.recorded_at) ORDER BY h.id) FILTER (WHERE h.id IS NOT NULL), '[]'::jsonb) AS history
     FROM certificate_devices cd
     JOIN certificates c ON c.id = cd.certificate_id
     LEFT JOIN certificate_status_history h ON h.certificate_id = c.id
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     GROUP BY cd.udi_di, c.id
     ORDER BY cd.udi_di, c.valid_from, c.id`,
    params,
  );
  const out = new Map<string, CertificateWithHistory[]>();
  for (const r of rows) {
    const list = out.get(r.udi_di) ?? [];
    list.push(withHistory(r));
    out.set(r.udi_di, list);
  }
  return out;
}

function withHistory(r: Omit<CertificateRow, 'udi_di'>): CertificateWithHistory {
  return {
    id: r.id,
    nbNumber: r.nb_number,
    nbName: r.nb_name,
    certificateNumber: r.certificate_number,
    certificateVersion: r.certificate_version,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    history: r.history.map((h) => ({ seq: Number(h.seq), status: h.status, effectiveFrom: h.effectiveFrom, reasonCode: h.reasonCode, recordedAt: new Date(h.recordedAt).toISOString() })),
  };
}

export interface ListCertificatesOptions {
  udiDi?: string;
  id?: string;
  /** Also give the status on this date. */
  on?: string;
  /** "Today" for the current status (default: the Dutch calendar date now). */
  today?: string;
  limit?: number;
}

/** Certificates (of one device, one id, or all), newest first, for the inspectorate and the registry administrator. */
export async function listCertificates(q: Queryable, caller: Caller, opts: ListCertificatesOptions = {}): Promise<CertificateView[]> {
  mayReadCertificates(caller);
  const params: unknown[] = [];
  const where: string[] = [];
  if (opts.udiDi) {
    params.push(opts.udiDi);
    where.push(`c.id IN (SELECT certificate_id FROM certificate_devices WHERE udi_di = $${params.length})`);
  }
  if (opts.id) {
    if (!/^[0-9a-f-]{36}$/i.test(opts.id)) return [];
    params.push(opts.id);
    where.push(`c.id = $${params.length}::uuid`);
  }
  params.push(opts.limit ?? 1000);
  const rows = await q.query<Omit<CertificateRow, 'udi_di'> & { udi_dis: string[] }>(
    `SELECT c.id, c.nb_number, c.nb_name, c.certificate_number, c.certificate_version, c.valid_from, c.valid_until,
       (SELECT array_agg(udi_di ORDER BY udi_di) FROM certificate_devices WHERE certificate_id = c.id) AS udi_dis,
       coalesce((SELECT jsonb_agg(jsonb_build_object('seq', h.id, 'status', h.status, 'effectiveFrom', h.effective_from, 'reasonCode', h.reason_code,
         'recordedAt', h.recorded_at) ORDER BY h.id) FROM certificate_status_history h WHERE h.certificate_id = c.id), '[]'::jsonb) AS history
     FROM certificates c
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY c.valid_from DESC, c.nb_number, c.certificate_number, c.certificate_version
     LIMIT $${params.length}`,
    params,
  );
  const today = opts.today ?? dateOf(new Date());
  return rows.map((r) => {
    const c = withHistory(r);
    const view: CertificateView = {
      id: c.id,
      notifiedBody: nbLabel(c.nbNumber),
      nbNumber: c.nbNumber,
      nbName: c.nbName,
      certificateNumber: c.certificateNumber,
      certificateVersion: c.certificateVersion,
      validFrom: c.validFrom,
      validUntil: c.validUntil,
      udiDis: r.udi_dis ?? [],
      status: statusOn(c, today)?.status ?? null,
      history: c.history.map((h) => ({ status: h.status, effectiveFrom: h.effectiveFrom, reasonCode: h.reasonCode, recordedAt: h.recordedAt! })),
      periods: statusPeriods(c),
    };
    if (opts.on) view.statusOn = { date: opts.on, status: statusOn(c, opts.on)?.status ?? null };
    return view;
  });
}

/** What the intake's safety checks need of one implantation record. */
export interface SafetyCheckItem {
  /** Position in the caller's list; warnings are returned under it. */
  index: number;
  udiDi: string;
  implantDate: string;
  lot: string | null;
  serial: string | null;
  /** The JSON pointers the warnings point at (the scanned `udi` when the values came from it). */
  paths: { udiDi: string; lot: string; serial: string };
}

/** The message of a certificate warning: notified body, certificate number and since when. */
export function certificateWarningMessage(a: AlertPeriod, implantDate: string): string {
  const c = a.certificate;
  return `on the implant date ${implantDate} the certificate of UDI-DI ${a.udiDi} was ${a.status}: ${nbLabel(c.nbNumber)} (${c.nbName}), certificate ${c.certificateNumber} version ${c.certificateVersion}, ${a.status} since ${a.since}`;
}

/**
 * CERTIFICATE_SUSPENDED / CERTIFICATE_WITHDRAWN for implantations whose device's certificate was
 * suspended or withdrawn on the implant date. One query for the whole list.
 */
export async function certificateWarnings(q: Queryable, items: readonly SafetyCheckItem[]): Promise<Map<number, Issue[]>> {
  const out = new Map<number, Issue[]>();
  if (items.length === 0) return out;
  const certificates = await loadCertificatesOfDevices(q, { udiDis: [...new Set(items.map((i) => i.udiDi))] });
  const periods = new Map<string, AlertPeriod[]>();
  for (const [udiDi, certs] of certificates) periods.set(udiDi, alertPeriods(udiDi, certs));
  for (const item of items) {
    const hits = alertsOn(periods.get(item.udiDi) ?? [], item.implantDate);
    if (hits.length === 0) continue;
    out.set(
      item.index,
      hits.map((a) => ({
        severity: 'warning' as const,
        code: a.status === 'suspended' ? 'CERTIFICATE_SUSPENDED' : 'CERTIFICATE_WITHDRAWN',
        message: certificateWarningMessage(a, item.implantDate),
        path: item.paths.udiDi,
      })),
    );
  }
  return out;
}

