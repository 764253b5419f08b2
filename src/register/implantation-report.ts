// Implantations per year, by implant category, provider type or region: the aggregate that leaves
// the inspectorate (associations' quality reports). For an association every count goes through
// small-cell suppression with complements (src/privacy/suppression.ts); the inspectorate may ask
// for the unsuppressed table. Policy and audit entry are here, in the query layer.

import type { Queryable } from '../db/types.js';
import { AccessDenied, type Caller } from '../auth/caller.js';
import { appendAudit, AUDIT_EVENTS } from '../privacy/audit-log.js';
import { DEFAULT_SUPPRESSION_THRESHOLD, suppressTable, type SuppressedEntry } from '../privacy/suppression.js';

export const REPORT_DIMENSIONS = ['category', 'providerType', 'region'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

export interface ReportRequest {
  by: ReportDimension;
  fromYear: number;
  toYear: number;
  /** Inspectorate only: skip suppression (for its own use; it must not pass the table on). */
  unsuppressed?: boolean;
}

export interface ImplantationReport {
  by: ReportDimension;
  years: number[];
  rows: { key: string; label: string }[];
  suppression: { threshold: number } | null;
  /** Cells per row and year; totals per row, per year, and overall. */
  cells: SuppressedEntry[][];
  rowTotals: SuppressedEntry[];
  yearTotals: SuppressedEntry[];
  total: SuppressedEntry;
}

export function suppressionThreshold(): number {
  const v = Number(process.env.LIR_SUPPRESSION_THRESHOLD ?? DEFAULT_SUPPRESSION_THRESHOLD);
  return Number.isSafeInteger(v) && v >= 1 ? v : DEFAULT_SUPPRESSION_THRESHOLD;
}

const ROW_SQL: Record<ReportDimension, { key: string; label: string; join: string }> = {
  category: {
    key: `coalesce(t.category, 'unresolved')`,
    label: `coalesce(c.name_en, 'Not yet resolved to an implant type')`,
    join: 'LEFT JOIN implant_types t ON t.code = r.implant_type LEFT JOIN implant_types c ON c.code = t.category',
  },
  providerType: { key: 'p.type', label: 'p.type', join: 'JOIN providers p ON p.id = r.provider_id' },
  region: { key: `coalesce(p.region, 'unknown')`, label: `coalesce(p.region, 'unknown')`, join: 'JOIN providers p ON p.id = r.provider_id' },
};

export async function implantationReport(q: Queryable, caller: Caller, req: ReportRequest): Promise<ImplantationReport> {
  if (caller.role !== 'association' && caller.role !== 'inspector' && caller.role !== 'operator') {
    throw new AccessDenied('aggregate reports are for the professional associations and the inspectorate');
  }
  if (req.unsuppressed && caller.role === 'association') throw new AccessDenied('an association receives suppressed aggregates only');
  const sql = ROW_SQL[req.by];
  const rows = await q.query<{ key: string; label: string; year: number; n: number }>(
    `SELECT ${sql.key} AS key, min(${sql.label}) AS label, extract(year FROM r.implant_date)::int AS year, count(*)::int AS n
     FROM records r ${sql.join}
     WHERE r.kind = 'implantation' AND r.status = 'active'
       AND r.implant_date >= make_date($1, 1, 1) AND r.implant_date < make_date($2 + 1, 1, 1)
     GROUP BY 1, 3 ORDER BY 1, 3`,
    [req.fromYear, req.toYear],
  );
  const years = Array.from({ length: req.toYear - req.fromYear + 1 }, (_, i) => req.fromYear + i);
  const keys = [...new Map(rows.map((r) => [r.key, r.label])).entries()].map(([key, label]) => ({ key, label }));
  const counts = keys.map(({ key }) => years.map((y) => rows.find((r) => r.key === key && r.year === y)?.n ?? 0));
  await appendAudit(q, caller, [
    { eventCode: AUDIT_EVENTS.aggregateReport, action: 'E', objectType: 'ImplantationReport', query: { by: req.by, fromYear: req.fromYear, toYear: req.toYear, unsuppressed: Boolean(req.unsuppressed) }, resultCount: keys.length },
  ]);
  if (req.unsuppressed) {
    const open = (n: number): SuppressedEntry => ({ value: n, reason: null });
    const yearTotals = years.map((_, j) => counts.reduce((s, row) => s + row[j]!, 0));
    return {
      by: req.by, years, rows: keys, suppression: null,
      cells: counts.map((row) => row.map(open)),
      rowTotals: counts.map((row) => open(row.reduce((a, b) => a + b, 0))),
      yearTotals: yearTotals.map(open),
      total: open(yearTotals.reduce((a, b) => a + b, 0)),
    };
  }
  const threshold = suppressionThreshold();
  if (keys.length === 0) {
    return { by: req.by, years, rows: [], suppression: { threshold }, cells: [], rowTotals: [], yearTotals: years.map(() => ({ value: 0, reason: null })), total: { value: 0, reason: null } };
  }
  const t = suppressTable({ cells: counts }, { threshold });
  return { by: req.by, years, rows: keys, suppression: { threshold }, cells: t.cells, rowTotals: t.rowTotals, yearTotals: t.columnTotals, total: t.grandTotal };
}
