// "Who carries this implant?": the register's reason to exist (DESIGN §1, issue 2 §8).
// The SQL is built here from a filter; `npm run sql:generate` writes the statement for a few
// representative filters to src/register/queries/ so a change to it shows in review.

import type { Caller } from '../auth/caller.js';
import { requireRole } from '../auth/caller.js';
import type { Db } from '../db/types.js';
import { isValidIsoDate } from '../domain/dates.js';
import { appendAudit, AUDIT_EVENTS } from '../privacy/audit-log.js';

export interface AffectedPopulationFilter {
  udiDi?: string[];
  manufacturer?: string;
  productName?: string;
  implantType?: string;
  lots?: string[];
  serials?: string[];
  implantedFrom?: string;
  implantedTo?: string;
  stillImplanted?: boolean;
}

export interface AffectedPopulation {
  implants: number;
  patients: number;
  providers: { kvk: string; name: string; implants: number; patients: number }[];
  byYear: { year: number; implants: number; patients: number }[];
}

export interface FilterIssue {
  code: string;
  message: string;
  path: string;
}

const LIST_MAX = 10_000;

/** Validates an untrusted filter body; returns the filter or the problems with JSON pointers. */
export function parseAffectedFilter(body: unknown): { ok: true; filter: AffectedPopulationFilter } | { ok: false; errors: FilterIssue[] } {
  const errors: FilterIssue[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, errors: [{ code: 'INVALID_TYPE', message: 'the query must be a JSON object', path: '' }] };
  }
  const b = body as Record<string, unknown>;
  const filter: AffectedPopulationFilter = {};
  const allowed = ['udiDi', 'manufacturer', 'productName', 'implantType', 'lots', 'serials', 'implantedFrom', 'implantedTo', 'stillImplanted'];
  for (const k of Object.keys(b)) if (!allowed.includes(k)) errors.push({ code: 'UNKNOWN_FIELD', message: `unknown filter "${k.slice(0, 40)}"; filters are ${allowed.join(', ')}`, path: `/${k}` });
  const list = (k: 'udiDi' | 'lots' | 'serials') => {
    let v = b[k];
    if (v === undefined || v === null) return;
    if (typeof v === 'string') v = [v];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 100)) {
      errors.push({ code: 'INVALID_TYPE', message: `${k} must be a list of non-empty strings`, path: `/${k}` });
      return;
    }
    if (v.length > LIST_MAX) errors.push({ code: 'TOO_MANY', message: `${k} may hold at most ${LIST_MAX} values`, path: `/${k}` });
    else if (v.length > 0) filter[k] = v as string[];
  };
  const str = (k: 'manufacturer' | 'productName' | 'implantType') => {
    const v = b[k];
    if (v === undefined || v === null || v === '') return;
    if (typeof v !== 'string' || v.length > 200) errors.push({ code: 'INVALID_TYPE', message: `${k} must be a string of at most 200 characters`, path: `/${k}` });
    else filter[k] = v;
  };
  const date = (k: 'implantedFrom' | 'implantedTo') => {
    const v = b[k];
    if (v === undefined || v === null || v === '') return;
    if (typeof v !== 'string' || !isValidIsoDate(v)) errors.push({ code: 'INVALID_DATE', message: `${k} must be a date written YYYY-MM-DD`, path: `/${k}` });
    else filter[k] = v;
  };
  list('udiDi');
  list('lots');
  list('serials');
  str('manufacturer');
  str('productName');
  str('implantType');
  date('implantedFrom');
  date('implantedTo');
  if (b.stillImplanted !== undefined && b.stillImplanted !== null) {
    if (typeof b.stillImplanted !== 'boolean') errors.push({ code: 'INVALID_TYPE', message: 'stillImplanted must be true or false', path: '/stillImplanted' });
    else filter.stillImplanted = b.stillImplanted;
  }
  if (filter.implantedFrom && filter.implantedTo && filter.implantedFrom > filter.implantedTo) {
    errors.push({ code: 'DATE_ORDER', message: 'implantedFrom is after implantedTo', path: '/implantedFrom' });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, filter };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

/**
 * Builds the statement. `implantTypeCodes` is the implant type with every code below it (the
 * caller expands it from the implant-type list so the index on implant_type is used).
 */
export function affectedPopulationSql(f: AffectedPopulationFilter, implantTypeCodes?: string[]): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ["r.status = 'active'", "r.kind = 'implantation'"];
  if (f.udiDi) where.push(`r.udi_di = ANY(${p(f.udiDi)}::text[])`);
  if (f.manufacturer || f.productName) {
    const dev: string[] = [];
    if (f.manufacturer) dev.push(`d.manufacturer ILIKE ${p(`%${escapeLike(f.manufacturer)}%`)}`);
    if (f.productName) dev.push(`d.product_name ILIKE ${p(`%${escapeLike(f.productName)}%`)}`);
    where.push(`r.udi_di IN (SELECT d.udi_di FROM devices d WHERE ${dev.join(' AND ')})`);
  }
  if (f.implantType) where.push(`r.implant_type = ANY(${p(implantTypeCodes ?? [f.implantType])}::text[])`);
  if (f.lots) where.push(`r.lot = ANY(${p(f.lots)}::text[])`);
  if (f.serials) where.push(`r.serial = ANY(${p(f.serials)}::text[])`);
  if (f.implantedFrom) where.push(`r.implant_date >= ${p(f.implantedFrom)}::date`);
  if (f.implantedTo) where.push(`r.implant_date <= ${p(f.implantedTo)}::date`);
  if (f.stillImplanted) where.push('r.closed_explant_date IS NULL AND r.closed_death_date IS NULL');
  // Distinct patients are counted by grouping twice (hash aggregates) instead of count(DISTINCT),
  // which would sort every hit once per breakdown.
  const sql = `WITH hits AS MATERIALIZED (
  SELECT r.provider_id, extract(year FROM r.implant_date)::integer AS year, coalesce(r.patient_pseudonym, r.id::text) AS patient, count(*)::integer AS n
  FROM records r
  WHERE ${where.join('\n    AND ')}
  GROUP BY 1, 2, 3
)
SELECT 'total' AS grouping, NULL::uuid AS provider_id, NULL::integer AS year, coalesce(sum(n), 0)::integer AS implants, count(*)::integer AS patients
  FROM (SELECT patient, sum(n) AS n FROM hits GROUP BY patient) t
UNION ALL
SELECT 'provider', provider_id, NULL, sum(n)::integer, count(*)::integer
  FROM (SELECT provider_id, patient, sum(n) AS n FROM hits GROUP BY provider_id, patient) t GROUP BY provider_id
UNION ALL
SELECT 'year', NULL, year, sum(n)::integer, count(*)::integer
  FROM (SELECT year, patient, sum(n) AS n FROM hits GROUP BY year, patient) t GROUP BY year`;
  return { sql, params };
}

export function descendantCodes(code: string, types: ReadonlyMap<string, unknown>): string[] {
  return [...types.keys()].filter((c) => c === code || c.startsWith(code + '.'));
}

export async function affectedPopulation(
  q: Db,
  caller: Caller,
  filter: AffectedPopulationFilter,
  implantTypes: ReadonlyMap<string, unknown>,
): Promise<AffectedPopulation> {
  requireRole(caller, 'inspector', 'operator');
  const codes = filter.implantType ? descendantCodes(filter.implantType, implantTypes) : undefined;
  const { sql, params } = affectedPopulationSql(filter, codes);
  type Row = { grouping: string; provider_id: string | null; year: number | null; implants: number; patients: number };
  // Enough memory that the aggregates of a popular product stay in memory.
  const rows = await q.transaction(async (tx) => {
    await tx.query("SET LOCAL work_mem = '64MB'");
    return tx.query<Row>(sql, params);
  });
  const total = rows.find((r) => r.grouping === 'total');
  const providerRows = rows.filter((r) => r.grouping === 'provider');
  const names = new Map<string, { kvk: string; name: string }>();
  if (providerRows.length > 0) {
    for (const p of await q.query<{ id: string; kvk: string; name: string }>('SELECT id, kvk, name FROM providers WHERE id = ANY($1::uuid[])', [providerRows.map((r) => r.provider_id)])) names.set(p.id, p);
  }
  await appendAudit(q, caller, [{ eventCode: AUDIT_EVENTS.affectedPopulation, action: 'E', objectType: 'Record', query: { ...filter }, resultCount: total?.implants ?? 0 }]);
  return {
    implants: total?.implants ?? 0,
    patients: total?.patients ?? 0,
    providers: providerRows
      .map((r) => ({ kvk: names.get(r.provider_id!)?.kvk ?? '', name: names.get(r.provider_id!)?.name ?? '', implants: r.implants, patients: r.patients }))
      .sort((a, b) => b.implants - a.implants || a.kvk.localeCompare(b.kvk)),
    byYear: rows
      .filter((r) => r.grouping === 'year')
      .map((r) => ({ year: r.year!, implants: r.implants, patients: r.patients }))
      .sort((a, b) => a.year - b.year),
  };
}
