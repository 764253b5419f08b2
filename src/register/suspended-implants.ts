// The Ballerine situation (IGJ report, 2021): the notified body suspended the CE certificate of a
// copper IUD on 16 July 2021, and the inspectorate needed to know who had placed it since, in
// whom. This query answers: which devices were implanted while their certificate was suspended
// or withdrawn, with per device the certificate and the period, and the number of implants and
// distinct patients (pseudonym, else record) per provider.
//
// The periods come from the certificates' status histories (catalogue/certificate-status.ts, the
// same rules the intake warns by); the counting is one SQL statement built here from them.

import type { Caller } from '../auth/caller.js';
import { appendAudit, AUDIT_EVENTS } from '../privacy/audit-log.js';
import { requireRole } from '../auth/caller.js';
import { loadCertificatesOfDevices } from '../catalogue/certificates.js';
import { alertPeriods, nbLabel, type AlertPeriod, type CertificateCore } from '../catalogue/certificate-status.js';
import type { Db } from '../db/types.js';
import { isValidIsoDate } from '../domain/dates.js';

export interface SuspendedFilter {
  udiDi?: string[];
  /** Only implants on or after this date. */
  from?: string;
  /** Only implants on or before this date. */
  to?: string;
}

export interface ProviderCount {
  kvk: string;
  name: string;
  implants: number;
  patients: number;
}

export interface SuspendedDevice {
  udiDi: string;
  manufacturer: string | null;
  productName: string | null;
  /** notifiedBody is shown as "NB 0344" */
  certificate: CertificateCore & { notifiedBody: string };
  status: 'suspended' | 'withdrawn';
  /** The days of the suspension or withdrawal not covered by another version; `to` null while it lasts. */
  period: { from: string; to: string | null };
  /** When the certificate's suspension or withdrawal began. */
  since: string;
  reasonCode: string | null;
  implants: number;
  patients: number;
  providers: ProviderCount[];
}

export interface SuspendedImplants {
  /** Distinct implantation records over all devices and periods. */
  implants: number;
  /** Distinct patients over all devices and periods. */
  patients: number;
  devices: SuspendedDevice[];
}

export interface FilterIssue {
  code: string;
  message: string;
  path: string;
}

/** Validates an untrusted filter (query string or CLI options). */
export function parseSuspendedFilter(input: unknown): { ok: true; filter: SuspendedFilter } | { ok: false; errors: FilterIssue[] } {
  const errors: FilterIssue[] = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { ok: false, errors: [{ code: 'INVALID_TYPE', message: 'the query must be an object', path: '' }] };
  const b = input as Record<string, unknown>;
  const filter: SuspendedFilter = {};
  const allowed = ['udiDi', 'from', 'to'];
  for (const k of Object.keys(b)) if (!allowed.includes(k)) errors.push({ code: 'UNKNOWN_FIELD', message: `unknown parameter "${k.slice(0, 40)}"; parameters are ${allowed.join(', ')}`, path: `/${k.slice(0, 40)}` });
  if (b.udiDi !== undefined && b.udiDi !== null && b.udiDi !== '') {
    const list = Array.isArray(b.udiDi) ? b.udiDi : [b.udiDi];
    if (!list.every((x) => typeof x === 'string' && /^[A-Za-z0-9+$/.:_-]{1,60}$/.test(x)) || list.length > 1000) {
      errors.push({ code: 'INVALID_FORMAT', message: 'udiDi must be one or more UDI-DIs (1–60 characters each, at most 1000)', path: '/udiDi' });
    } else filter.udiDi = [...new Set(list as string[])];
  }
  for (const k of ['from', 'to'] as const) {
    const v = b[k];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string' || !isValidIsoDate(v)) errors.push({ code: 'INVALID_DATE', message: `${k} must be a date written YYYY-MM-DD`, path: `/${k}` });
    else filter[k] = v;
  }
  if (filter.from && filter.to && filter.from > filter.to) errors.push({ code: 'DATE_ORDER', message: `from ${filter.from} is after to ${filter.to}`, path: '/from' });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, filter };
}

/** One stretch of implant dates to count for one device (the period, clipped to the filter). */
export interface CountWindow {
  udiDi: string;
  from: string;
  /** Inclusive; null = open-ended. */
  to: string | null;
}

/**
 * The counting statement for a list of windows. Window i (1-based, the `win` column) joins the
 * live implantations of its device implanted in it, through the covering index on (udi_di, implant_date).
 * Rows: per window and provider, per window, and the distinct total.
 */
export function implantedWhileSuspendedSql(windows: readonly CountWindow[]): { sql: string; params: unknown[] } {
  const sql = `WITH w AS (
  SELECT * FROM unnest($1::text[], $2::date[], $3::date[]) WITH ORDINALITY AS w(udi_di, from_date, to_date, win)
),
hits AS MATERIALIZED (
  SELECT w.win::integer AS win, r.provider_id, r.id, coalesce(r.patient_pseudonym, r.id::text) AS patient
  FROM w
  JOIN records r ON r.udi_di = w.udi_di AND r.implant_date >= w.from_date AND (w.to_date IS NULL OR r.implant_date <= w.to_date)
  WHERE r.status = 'active' AND r.kind = 'implantation'
)
SELECT 'provider' AS grouping, win, provider_id, count(*)::integer AS implants, count(DISTINCT patient)::integer AS patients
  FROM hits GROUP BY win, provider_id
UNION ALL
SELECT 'window', win, NULL, count(*)::integer, count(DISTINCT patient)::integer
  FROM hits GROUP BY win
UNION ALL
SELECT 'total', NULL, NULL, count(DISTINCT id)::integer, count(DISTINCT patient)::integer
  FROM hits`;
  return { sql, params: [windows.map((w) => w.udiDi), windows.map((w) => w.from), windows.map((w) => w.to)] };
}

/** The alert periods clipped to the filter's date window; periods outside it are left out. */
export function countWindows(periods: readonly AlertPeriod[], filter: SuspendedFilter): { period: AlertPeriod; window: CountWindow }[] {
  const out: { period: AlertPeriod; window: CountWindow }[] = [];
  for (const p of periods) {
    const from = filter.from && filter.from > p.from ? filter.from : p.from;
    const to = filter.to && (p.to === null || filter.to < p.to) ? filter.to : p.to;
    if (to !== null && to < from) continue;
    out.push({ period: p, window: { udiDi: p.udiDi, from, to } });
  }
  return out;
}

export async function implantedWhileSuspended(db: Db, caller: Caller, filter: SuspendedFilter = {}): Promise<SuspendedImplants> {
  requireRole(caller, 'inspector', 'operator');
  const certificates = await loadCertificatesOfDevices(db, { ...(filter.udiDi ? { udiDis: filter.udiDi } : {}), withAlertsOnly: true });
  const periods = [...certificates].flatMap(([udiDi, certs]) => alertPeriods(udiDi, certs));
  const windows = countWindows(periods, filter);
  const audit = (implants: number) =>
    appendAudit(db, caller, [{ eventCode: AUDIT_EVENTS.suspendedImplants, action: 'E', objectType: 'Record', query: { ...filter }, resultCount: implants }]);
  if (windows.length === 0) {
    await audit(0);
    return { implants: 0, patients: 0, devices: [] };
  }

  const { sql, params } = implantedWhileSuspendedSql(windows.map((w) => w.window));
  type Row = { grouping: 'provider' | 'window' | 'total'; win: number | null; provider_id: string | null; implants: number; patients: number };
  const rows = await db.query<Row>(sql, params);
  const total = rows.find((r) => r.grouping === 'total');

  const providerIds = [...new Set(rows.filter((r) => r.grouping === 'provider').map((r) => r.provider_id!))];
  const providers = new Map<string, { kvk: string; name: string }>();
  if (providerIds.length > 0) {
    for (const p of await db.query<{ id: string; kvk: string; name: string }>('SELECT id, kvk, name FROM providers WHERE id = ANY($1::uuid[])', [providerIds])) providers.set(p.id, p);
  }
  const udiDis = [...new Set(windows.map((w) => w.window.udiDi))];
  const devices = new Map<string, { manufacturer: string; product_name: string }>();
  for (const d of await db.query<{ udi_di: string; manufacturer: string; product_name: string }>('SELECT udi_di, manufacturer, product_name FROM devices WHERE udi_di = ANY($1::text[])', [udiDis])) devices.set(d.udi_di, d);

  const out: SuspendedDevice[] = [];
  for (const row of rows.filter((r) => r.grouping === 'window')) {
    const { period: p } = windows[row.win! - 1]!;
    const c = p.certificate;
    const device = devices.get(p.udiDi);
    out.push({
      udiDi: p.udiDi,
      manufacturer: device?.manufacturer ?? null,
      productName: device?.product_name ?? null,
      certificate: { id: c.id, notifiedBody: nbLabel(c.nbNumber), nbNumber: c.nbNumber, nbName: c.nbName, certificateNumber: c.certificateNumber, certificateVersion: c.certificateVersion, validFrom: c.validFrom, validUntil: c.validUntil },
      status: p.status,
      period: { from: p.from, to: p.to },
      since: p.since,
      reasonCode: p.reasonCode,
      implants: row.implants,
      patients: row.patients,
      providers: rows
        .filter((r) => r.grouping === 'provider' && r.win === row.win)
        .map((r) => ({ kvk: providers.get(r.provider_id!)?.kvk ?? '', name: providers.get(r.provider_id!)?.name ?? '', implants: r.implants, patients: r.patients }))
        .sort((a, b) => b.implants - a.implants || a.kvk.localeCompare(b.kvk)),
    });
  }
  out.sort((a, b) => a.udiDi.localeCompare(b.udiDi) || a.period.from.localeCompare(b.period.from) || a.certificate.id.localeCompare(b.certificate.id));
  await audit(total?.implants ?? 0);
  return { implants: total?.implants ?? 0, patients: total?.patients ?? 0, devices: out };
}
