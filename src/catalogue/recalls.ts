// Recalls and field safety notices (FSCA) per device (UDI-DI): every unit, or lots and/or serial
// ranges. Input checks, storage, reads with the access policy, and the intake's set-based check.
//
// Serial ranges (docs/certificates-and-recalls.md §3): `from` and `to` are either the same serial
// (matched exactly), or the same non-numeric prefix followed by digits, of the same length. A
// serial is in such a range when it has that length and prefix and its digits lie between the
// bounds' digits, compared as numbers. "SN0150" is in SN0100–SN0199; "SN150" and "SN00150" are not.

import { randomUUID } from 'node:crypto';
import { requireRole, type Caller } from '../auth/caller.js';
import type { Queryable } from '../db/types.js';
import type { Issue } from '../domain/record.js';
import { AlreadyExists, checkUdiDi, FieldReader, type InputIssue, type Parsed } from './certificate-recall-input.js';
import type { SafetyCheckItem } from './certificates.js';

export const RECALL_KINDS = ['recall', 'field-safety-notice'] as const;
export type RecallKind = (typeof RECALL_KINDS)[number];

export interface SerialRange {
  from: string;
  to: string;
}

export interface RecallInput {
  reference: string;
  kind: RecallKind;
  udiDi: string;
  issuedOn: string;
  allUnits: boolean;
  lots: string[];
  serialRanges: SerialRange[];
}

export interface RecallView {
  id: string;
  reference: string;
  kind: RecallKind;
  udiDi: string;
  device: { manufacturer: string; productName: string } | null;
  issuedOn: string;
  allUnits: boolean;
  lots: string[];
  serialRanges: SerialRange[];
  recordedAt: string;
}

const RECALL_FIELDS = ['reference', 'kind', 'udiDi', 'issuedOn', 'allUnits', 'lots', 'serialRanges'] as const;
const MAX_LOTS = 10_000;
const MAX_RANGES = 10_000;

/** A serial as prefix + trailing digits; null when it does not end in a digit. */
export function splitSerial(serial: string): { prefix: string; digits: string } | null {
  const m = /^(.*?)(\d+)$/.exec(serial);
  return m ? { prefix: m[1]!, digits: m[2]! } : null;
}

/**
 * The shape of a range: the length of the common prefix before the digits, `exact` for a single
 * serial without trailing digits (from = to), or an issue when the bounds cannot form a range.
 */
export function rangeShape(range: SerialRange): { prefixLength: number } | { exact: true } | { error: { code: string; message: string; at: 'from' | 'to' } } {
  if (range.from === range.to) {
    const s = splitSerial(range.from);
    return s ? { prefixLength: s.prefix.length } : { exact: true };
  }
  const a = splitSerial(range.from);
  const b = splitSerial(range.to);
  if (!a || !b || a.prefix !== b.prefix || range.from.length !== range.to.length) {
    return {
      error: {
        code: 'SERIAL_RANGE_MISMATCH',
        message: `serial range ${range.from}–${range.to}: from and to must be the same prefix followed by the same number of digits (e.g. SN0100–SN0199); list a single serial with from = to`,
        at: 'to',
      },
    };
  }
  if (a.digits > b.digits) return { error: { code: 'RANGE_ORDER', message: `serial range ${range.from}–${range.to}: from is after to`, at: 'from' } };
  return { prefixLength: a.prefix.length };
}

/** Whether `serial` is in `range` (the same rule the database applies; see serialMatchSql). */
export function serialInRange(serial: string, range: SerialRange): boolean {
  if (range.from === range.to) return serial === range.from;
  const shape = rangeShape(range);
  if (!('prefixLength' in shape)) return false;
  if (serial.length !== range.from.length || !serial.startsWith(range.from.slice(0, shape.prefixLength))) return false;
  const digits = serial.slice(shape.prefixLength);
  return /^\d+$/.test(digits) && digits >= range.from.slice(shape.prefixLength) && digits <= range.to.slice(shape.prefixLength);
}

/**
 * SQL condition: the serial expression lies in the range row `sr` (recall_serial_ranges). Equal
 * length and a byte-wise BETWEEN imply the common prefix; the digit test makes the comparison numeric.
 */
export function serialMatchSql(serial: string, sr: string): string {
  return `(length(${serial}) = length(${sr}.serial_from) AND ${serial} COLLATE "C" BETWEEN ${sr}.serial_from AND ${sr}.serial_to
    AND (${sr}.serial_from = ${sr}.serial_to OR substr(${serial}, ${sr}.prefix_length + 1) ~ '^[0-9]+$'))`;
}

/** Checks a recall (REST body, NDJSON line, or a CSV row turned into this shape). */
export function parseRecallInput(body: unknown): Parsed<RecallInput> {
  const errors: InputIssue[] = [];
  const r = FieldReader.of(body, '', errors, 'a recall');
  if (!r) return { ok: false, errors };
  r.onlyKnown(RECALL_FIELDS);
  const reference = r.text('reference', { required: true, max: 100, label: "reference (the manufacturer's FSCA number)" });
  const kind = r.oneOf('kind', RECALL_KINDS);
  const udiDi = checkUdiDi(r.obj.udiDi, '/udiDi', errors);
  const issuedOn = r.date('issuedOn');
  const allUnits = r.bool('allUnits') ?? false;
  const lots: string[] = [];
  const lotList = r.list('lots', MAX_LOTS);
  lotList?.forEach((l, i) => {
    const path = Array.isArray(r.obj.lots) ? `/lots/${i}` : '/lots';
    if (typeof l !== 'string' || l.trim() === '' || l.trim().length > 100) errors.push({ code: 'INVALID_TYPE', message: 'a lot is a string of 1–100 characters', path });
    else if (!lots.includes(l.trim())) lots.push(l.trim());
  });
  const serialRanges: SerialRange[] = [];
  const ranges = r.list('serialRanges', MAX_RANGES);
  if (ranges !== null && !Array.isArray(r.obj.serialRanges)) {
    r.err('serialRanges', 'INVALID_TYPE', 'serialRanges must be a list of { from, to }');
  } else {
    ranges?.forEach((x, i) => {
      const base = `/serialRanges/${i}`;
      const sr = FieldReader.of(x, base, errors, 'a serial range');
      if (!sr) return;
      sr.onlyKnown(['from', 'to']);
      const from = sr.text('from', { required: true, max: 100 });
      const to = sr.text('to', { max: 100 }) ?? from;
      if (from === null || to === null) return;
      const shape = rangeShape({ from, to });
      if ('error' in shape) sr.err(shape.error.at, shape.error.code, shape.error.message);
      else if (!serialRanges.some((s) => s.from === from && s.to === to)) serialRanges.push({ from, to });
    });
  }
  if (allUnits && (lots.length > 0 || serialRanges.length > 0)) {
    r.err('allUnits', 'NOT_ALLOWED', 'a recall of all units lists no lots or serial ranges');
  } else if (!allUnits && lots.length === 0 && serialRanges.length === 0 && !errors.some((e) => /^\/(lots|serialRanges|allUnits)/.test(e.path))) {
    r.err('', 'REQUIRED', 'say which units are concerned: allUnits: true, or lots and/or serialRanges');
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { reference: reference!, kind: kind!, udiDi: udiDi!, issuedOn: issuedOn!, allUnits, lots, serialRanges } };
}

/** Recalls are recorded by the inspectorate or the registry administrator (and the operator at the command line). */
export const mayRecordRecalls = (caller: Caller): void => requireRole(caller, 'inspector', 'registry-admin', 'operator');

/**
 * Stores recalls. `ifExists: 'fail'` (REST) refuses one whose reference and UDI-DI are known;
 * `'merge'` (files) adds lots and ranges to it, takes the latest kind and issue date, and keeps
 * "all units" once set. Set-based: a fixed number of statements for any number of recalls.
 * Run it in a transaction. Returns the ids in input order.
 */
export async function saveRecalls(tx: Queryable, caller: Caller, inputs: readonly RecallInput[], ifExists: 'fail' | 'merge'): Promise<{ ids: string[]; created: number }> {
  mayRecordRecalls(caller);
  if (inputs.length === 0) return { ids: [], created: 0 };
  // One row per (reference, UDI-DI): ON CONFLICT may touch a row only once per statement.
  const merged = new Map<string, RecallInput>();
  for (const r of inputs) {
    const key = `${r.reference}\u0000${r.udiDi}`;
    const prev = merged.get(key);
    merged.set(
      key,
      prev
        ? { ...r, allUnits: prev.allUnits || r.allUnits, lots: [...new Set([...prev.lots, ...r.lots])], serialRanges: [...prev.serialRanges, ...r.serialRanges] }
        : { ...r },
    );
  }
  const list = [...merged.values()];
  const by = `${caller.role}:${caller.subject}`;
  const headers = JSON.stringify(list.map((r) => ({ id: randomUUID(), reference: r.reference, kind: r.kind, udi_di: r.udiDi, issued_on: r.issuedOn, all_units: r.allUnits })));
  const conflict =
    ifExists === 'fail'
      ? 'DO NOTHING'
      : 'DO UPDATE SET kind = EXCLUDED.kind, issued_on = EXCLUDED.issued_on, all_units = recalls.all_units OR EXCLUDED.all_units, updated_at = now()';
  const written = await tx.query<{ id: string; reference: string; udi_di: string; created: boolean }>(
    `INSERT INTO recalls (id, reference, kind, udi_di, issued_on, all_units, recorded_by)
     SELECT id, reference, kind, udi_di, issued_on, all_units, $2 FROM jsonb_to_recordset($1::jsonb)
       AS x(id uuid, reference text, kind text, udi_di text, issued_on date, all_units boolean)
     ON CONFLICT (reference, udi_di) ${conflict}
     RETURNING id, reference, udi_di, (xmax = 0) AS created`,
    [headers, by],
  );
  const idOf = new Map(written.map((w) => [`${w.reference}\u0000${w.udi_di}`, w.id]));
  if (ifExists === 'fail' && written.length < list.length) {
    const missing = list.find((r) => !idOf.has(`${r.reference}\u0000${r.udiDi}`))!;
    const [existing] = await tx.query<{ id: string }>('SELECT id FROM recalls WHERE reference = $1 AND udi_di = $2', [missing.reference, missing.udiDi]);
    throw new AlreadyExists('RECALL_EXISTS', `recall ${missing.reference} for UDI-DI ${missing.udiDi} is already registered (id ${existing?.id ?? '?'})`, existing?.id ?? '');
  }
  const lotRows = list.flatMap((r) => r.lots.map((lot) => ({ recall_id: idOf.get(`${r.reference}\u0000${r.udiDi}`), lot })));
  if (lotRows.length > 0) {
    await tx.query(
      `INSERT INTO recall_lots (recall_id, lot) SELECT recall_id, lot FROM jsonb_to_recordset($1::jsonb) AS x(recall_id uuid, lot text) ON CONFLICT DO NOTHING`,
      [JSON.stringify(lotRows)],
    );
  }
  const rangeRows = list.flatMap((r) =>
    r.serialRanges.map((s) => {
      const shape = rangeShape(s);
      return { recall_id: idOf.get(`${r.reference}\u0000${r.udiDi}`), serial_from: s.from, serial_to: s.to, prefix_length: 'prefixLength' in shape ? shape.prefixLength : s.from.length };
    }),
  );
  if (rangeRows.length > 0) {
    await tx.query(
      `INSERT INTO recall_serial_ranges (recall_id, serial_from, serial_to, prefix_length)
       SELECT recall_id, serial_from, serial_to, prefix_length FROM jsonb_to_recordset($1::jsonb) AS x(recall_id uuid, serial_from text, serial_to text, prefix_length integer)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(rangeRows)],
    );
  }
  return { ids: inputs.map((r) => idOf.get(`${r.reference}\u0000${r.udiDi}`)!), created: written.filter((w) => w.created).length };
}

/**
 * Recalls, newest first. The inspectorate and the registry administrator read all; a provider
 * reads only the recalls that concern units it implanted itself (an active implantation record of
 * its own with that UDI-DI and, unless every unit is concerned, a recalled lot or serial).
 */
export async function listRecalls(q: Queryable, caller: Caller, opts: { udiDi?: string; id?: string; limit?: number } = {}): Promise<RecallView[]> {
  requireRole(caller, 'inspector', 'registry-admin', 'operator', 'provider');
  const params: unknown[] = [];
  const where: string[] = [];
  if (opts.udiDi) {
    params.push(opts.udiDi);
    where.push(`rc.udi_di = $${params.length}`);
  }
  if (opts.id) {
    if (!/^[0-9a-f-]{36}$/i.test(opts.id)) return [];
    params.push(opts.id);
    where.push(`rc.id = $${params.length}::uuid`);
  }
  if (caller.role === 'provider') {
    params.push(caller.providerId);
    where.push(`EXISTS (
      SELECT 1 FROM records r
      WHERE r.provider_id = $${params.length}::uuid AND r.udi_di = rc.udi_di AND r.status = 'active' AND r.kind = 'implantation'
        AND (rc.all_units
          OR EXISTS (SELECT 1 FROM recall_lots rl WHERE rl.recall_id = rc.id AND rl.lot = r.lot)
          OR EXISTS (SELECT 1 FROM recall_serial_ranges sr WHERE sr.recall_id = rc.id AND ${serialMatchSql('r.serial', 'sr')})))`);
  }
  params.push(opts.limit ?? 1000);
  return q.query<RecallView>(
    `SELECT rc.id, rc.reference, rc.kind, rc.udi_di AS "udiDi",
       CASE WHEN d.udi_di IS NULL THEN NULL ELSE jsonb_build_object('manufacturer', d.manufacturer, 'productName', d.product_name) END AS device,
       rc.issued_on AS "issuedOn", rc.all_units AS "allUnits",
       coalesce((SELECT array_agg(lot ORDER BY lot) FROM recall_lots WHERE recall_id = rc.id), '{}') AS lots,
       coalesce((SELECT jsonb_agg(jsonb_build_object('from', serial_from, 'to', serial_to) ORDER BY serial_from) FROM recall_serial_ranges WHERE recall_id = rc.id), '[]'::jsonb) AS "serialRanges",
       rc.recorded_at AS "recordedAt"
     FROM recalls rc LEFT JOIN devices d ON d.udi_di = rc.udi_di
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY rc.issued_on DESC, rc.reference, rc.udi_di
     LIMIT $${params.length}`,
    params,
  );
}

const KIND_TEXT: Record<RecallKind, string> = { recall: 'recall', 'field-safety-notice': 'field safety notice' };

/**
 * LOT_RECALLED, SERIAL_RECALLED and DEVICE_RECALLED for implantations of recalled units, whatever
 * the implant date (the patient carries the unit either way). One query for the whole list.
 */
export async function recallWarnings(q: Queryable, items: readonly SafetyCheckItem[]): Promise<Map<number, Issue[]>> {
  const out = new Map<number, Issue[]>();
  if (items.length === 0) return out;
  type Hit = { i: number; scope: 'device' | 'lot' | 'serial'; reference: string; kind: RecallKind; issued_on: string; lot: string | null; serial_from: string | null; serial_to: string | null };
  const hits = await q.query<Hit>(
    `WITH q AS (SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS q(i, udi_di, lot, serial))
     SELECT q.i, 'device' AS scope, rc.reference, rc.kind, rc.issued_on, NULL::text AS lot, NULL::text AS serial_from, NULL::text AS serial_to
       FROM q JOIN recalls rc ON rc.udi_di = q.udi_di AND rc.all_units
     UNION ALL
     SELECT q.i, 'lot', rc.reference, rc.kind, rc.issued_on, rl.lot, NULL, NULL
       FROM q JOIN recall_lots rl ON rl.lot = q.lot JOIN recalls rc ON rc.id = rl.recall_id AND rc.udi_di = q.udi_di
     UNION ALL
     SELECT q.i, 'serial', rc.reference, rc.kind, rc.issued_on, NULL, sr.serial_from, sr.serial_to
       FROM q JOIN recalls rc ON rc.udi_di = q.udi_di JOIN recall_serial_ranges sr ON sr.recall_id = rc.id AND ${serialMatchSql('q.serial', 'sr')}
     ORDER BY 1, 2, 3`,
    [items.map((_, i) => i), items.map((it) => it.udiDi), items.map((it) => it.lot), items.map((it) => it.serial)],
  );
  for (const h of hits) {
    const item = items[h.i]!;
    const what = `${KIND_TEXT[h.kind]} ${h.reference} of ${h.issued_on}`;
    const issue: Issue =
      h.scope === 'device'
        ? { severity: 'warning', code: 'DEVICE_RECALLED', message: `every unit of UDI-DI ${item.udiDi} is subject to ${what}`, path: item.paths.udiDi }
        : h.scope === 'lot'
          ? { severity: 'warning', code: 'LOT_RECALLED', message: `lot ${h.lot} of UDI-DI ${item.udiDi} is subject to ${what}`, path: item.paths.lot }
          : {
              severity: 'warning',
              code: 'SERIAL_RECALLED',
              message: `serial ${item.serial} of UDI-DI ${item.udiDi} is in the range ${h.serial_from}–${h.serial_to} of ${what}`,
              path: item.paths.serial,
            };
    const list = out.get(item.index) ?? [];
    list.push(issue);
    out.set(item.index, list);
  }
  return out;
}
