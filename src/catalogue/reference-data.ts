// Reference data in the database: the implant-type list (synced from implant-types.json on
// migrate), providers and the device catalogue. These become Citus reference tables.

import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db/types.js';
import { isAgb, isKvk } from '../domain/identifiers.js';
import { IMPLANT_TYPES } from './implant-types.js';

export const PROVIDER_TYPES = ['hospital', 'umc', 'independent-clinic', 'midwifery-practice', 'gp-practice', 'abortion-clinic', 'other'] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export interface Provider {
  id: string;
  kvk: string;
  agb: string | null;
  name: string;
  type: ProviderType;
  region: string | null;
}

export interface Device {
  udiDi: string;
  issuer: 'GS1' | 'HIBCC' | 'ICCBBA';
  manufacturer: string;
  productName: string;
  model: string | null;
  implantType: string;
}

/** Inserts or updates the implant-type list from the data file (parents before children). */
export async function syncImplantTypes(q: Queryable): Promise<void> {
  await q.query(
    `INSERT INTO implant_types (code, level, parent, category, name_nl, name_en, quality_register, sort)
     SELECT code, level, parent, category, name_nl, name_en, quality_register, sort
     FROM jsonb_to_recordset($1::jsonb) AS x(code text, level text, parent text, category text, name_nl text, name_en text, quality_register boolean, sort integer)
     ORDER BY sort
     ON CONFLICT (code) DO UPDATE SET level = EXCLUDED.level, parent = EXCLUDED.parent, category = EXCLUDED.category,
       name_nl = EXCLUDED.name_nl, name_en = EXCLUDED.name_en, quality_register = EXCLUDED.quality_register, sort = EXCLUDED.sort`,
    [JSON.stringify(IMPLANT_TYPES.map((t, sort) => ({ code: t.code, level: t.level, parent: t.parent, category: t.category, name_nl: t.nameNl, name_en: t.nameEn, quality_register: t.qualityRegister, sort })))],
  );
}

export async function loadImplantTypes(q: Queryable): Promise<Map<string, { qualityRegister: boolean; nameEn: string; nameNl: string; level: string; parent: string | null; category: string }>> {
  const rows = await q.query<{ code: string; quality_register: boolean; name_en: string; name_nl: string; level: string; parent: string | null; category: string }>(
    'SELECT code, quality_register, name_en, name_nl, level, parent, category FROM implant_types ORDER BY sort',
  );
  return new Map(rows.map((r) => [r.code, { qualityRegister: r.quality_register, nameEn: r.name_en, nameNl: r.name_nl, level: r.level, parent: r.parent, category: r.category }]));
}

export class ReferenceDataError extends Error {
  constructor(readonly code: string, message: string, readonly path: string) {
    super(message);
  }
}

export function validateProvider(p: Omit<Provider, 'id'>): void {
  if (!isKvk(p.kvk)) throw new ReferenceDataError('INVALID_FORMAT', 'kvk must be exactly 8 digits', '/kvk');
  if (p.agb !== null && !isAgb(p.agb)) throw new ReferenceDataError('INVALID_FORMAT', 'agb must be exactly 8 digits', '/agb');
  if (!p.name || p.name.length > 200) throw new ReferenceDataError('REQUIRED', 'name is required (at most 200 characters)', '/name');
  if (!(PROVIDER_TYPES as readonly string[]).includes(p.type)) throw new ReferenceDataError('UNKNOWN_CODE', `type must be one of ${PROVIDER_TYPES.join(', ')}`, '/type');
}

/** Adds a provider, or updates name/AGB/type/region of the one with this KvK number. */
export async function upsertProvider(q: Queryable, p: Omit<Provider, 'id'>): Promise<Provider> {
  validateProvider(p);
  const [row] = await q.query<{ id: string }>(
    `INSERT INTO providers (id, kvk, agb, name, type, region) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (kvk) DO UPDATE SET agb = EXCLUDED.agb, name = EXCLUDED.name, type = EXCLUDED.type, region = EXCLUDED.region
     RETURNING id`,
    [randomUUID(), p.kvk, p.agb, p.name, p.type, p.region],
  );
  return { id: row!.id, ...p };
}

export async function listProviders(q: Queryable): Promise<Provider[]> {
  return q.query<Provider>('SELECT id, kvk, agb, name, type, region FROM providers ORDER BY name, kvk');
}

export async function findProviderByKvk(q: Queryable, kvk: string): Promise<Provider | undefined> {
  const [row] = await q.query<Provider>('SELECT id, kvk, agb, name, type, region FROM providers WHERE kvk = $1', [kvk]);
  return row;
}

export interface DeviceUpsertResult {
  /** Devices new to the catalogue. */
  inserted: number;
  /** Devices whose fields changed. */
  updated: number;
  /** Devices given exactly as the catalogue already holds them: nothing written. */
  unchanged: number;
  /** UDI-DIs inserted or updated, in input order. */
  changed: string[];
}

export interface DeviceUpsertOptions {
  /** Where the change comes from, kept in the device history: a file name, or 'api' (default). */
  source?: string;
}

/** Serialises catalogue writers so each one computes its history against committed data. */
const DEVICE_WRITE_LOCK = 7482002;

const isDb = (q: Queryable): q is Db => typeof (q as Partial<Db>).transaction === 'function';

/**
 * Adds or updates catalogue devices and writes the device history, set-based: per call one lock
 * statement, one statement per run of distinct UDI-DIs (the devices, their history rows and the
 * diff in one), and one statement that resolves records waiting for these UDI-DIs. A device given
 * as the catalogue already holds it writes nothing. Given a `Db`, it runs in its own transaction;
 * given a transaction, in that one. A UDI-DI given twice applies in order (the later one wins, and
 * both changes are in the history).
 */
export async function upsertDevices(q: Queryable, devices: readonly Device[], opts: DeviceUpsertOptions = {}): Promise<DeviceUpsertResult> {
  const result: DeviceUpsertResult = { inserted: 0, updated: 0, unchanged: 0, changed: [] };
  if (devices.length === 0) return result;
  if (isDb(q)) return q.transaction((tx) => upsertDevices(tx, devices, opts));
  const source = (opts.source ?? 'api').slice(0, 255) || 'api';
  // Taken in its own statement, so that the statements after it see what an earlier holder committed.
  await q.query('SELECT pg_advisory_xact_lock($1)', [DEVICE_WRITE_LOCK]);
  const typeChanged: string[] = [];
  for (const run of distinctRuns(devices)) {
    const rows = await q.query<{ udi_di: string; is_new: boolean; type_changed: boolean }>(UPSERT_DEVICES_SQL, [
      JSON.stringify(run.map((d, ord) => ({ ord, udi_di: d.udiDi, issuer: d.issuer, manufacturer: d.manufacturer, product_name: d.productName, model: d.model, implant_type: d.implantType }))),
      source,
    ]);
    for (const r of rows) {
      if (r.is_new) result.inserted++;
      else result.updated++;
      if (r.type_changed) typeChanged.push(r.udi_di);
      result.changed.push(r.udi_di);
    }
    result.unchanged += run.length - rows.length;
  }
  // Records waiting for these UDI-DIs become resolved and take the catalogue's implant type
  // (the partial index on unresolved records finds them).
  await q.query(
    `UPDATE records r SET device_resolved = true, implant_type = d.implant_type
     FROM (SELECT udi_di, implant_type FROM devices WHERE udi_di = ANY($1::text[])) d
     WHERE r.device_resolved = false AND r.udi_di IS NOT NULL AND r.udi_di = ANY($1::text[]) AND r.udi_di = d.udi_di`,
    [[...new Set(devices.map((d) => d.udiDi))]],
  );
  // A device moved to another implant type takes its records along (rare: only then this scan).
  if (typeChanged.length > 0) {
    await q.query(
      `UPDATE records r SET implant_type = d.implant_type
       FROM (SELECT udi_di, implant_type FROM devices WHERE udi_di = ANY($1::text[])) d
       WHERE r.udi_di = ANY($1::text[]) AND r.udi_di = d.udi_di AND r.implant_type IS DISTINCT FROM d.implant_type`,
      [typeChanged],
    );
  }
  return result;
}

/** Splits devices into consecutive runs in which every UDI-DI occurs once (ON CONFLICT needs that). */
function distinctRuns(devices: readonly Device[]): Device[][] {
  const runs: Device[][] = [];
  let run: Device[] = [];
  let seen = new Set<string>();
  for (const d of devices) {
    if (seen.has(d.udiDi)) {
      runs.push(run);
      run = [];
      seen = new Set();
    }
    seen.add(d.udiDi);
    run.push(d);
  }
  runs.push(run);
  return runs;
}

// One statement: keep the input rows that are new or differ from the catalogue (`changed`, with the
// old values), write them to the catalogue, and write one history row each with only the fields
// that changed (old → new; the JSON is built for changed rows only). Data-modifying CTEs run even
// though the final SELECT does not read them, and all see the snapshot `changed` was read from.
const UPSERT_DEVICES_SQL = `WITH input AS (
  SELECT x.ord, x.udi_di, x.issuer, x.manufacturer, x.product_name, x.model, x.implant_type
  FROM jsonb_to_recordset($1::jsonb) AS x(ord integer, udi_di text, issuer text, manufacturer text, product_name text, model text, implant_type text)
),
changed AS MATERIALIZED (
  SELECT i.*, d.udi_di IS NULL AS is_new, d.udi_di IS NOT NULL AND d.implant_type IS DISTINCT FROM i.implant_type AS type_changed,
    d.issuer AS old_issuer, d.manufacturer AS old_manufacturer, d.product_name AS old_product_name, d.model AS old_model, d.implant_type AS old_implant_type
  -- one index probe per input row (LIMIT keeps the planner from a hash join that reads the whole
  -- catalogue for every chunk: fresh tables have no statistics yet)
  FROM input i LEFT JOIN LATERAL (SELECT * FROM devices d WHERE d.udi_di = i.udi_di LIMIT 1) d ON true
  WHERE d.udi_di IS NULL
     OR (d.issuer, d.manufacturer, d.product_name, d.model, d.implant_type) IS DISTINCT FROM (i.issuer, i.manufacturer, i.product_name, i.model, i.implant_type)
),
written AS (
  INSERT INTO devices (udi_di, issuer, manufacturer, product_name, model, implant_type)
  SELECT udi_di, issuer, manufacturer, product_name, model, implant_type FROM changed ORDER BY ord
  ON CONFLICT (udi_di) DO UPDATE SET issuer = EXCLUDED.issuer, manufacturer = EXCLUDED.manufacturer,
    product_name = EXCLUDED.product_name, model = EXCLUDED.model, implant_type = EXCLUDED.implant_type, updated_at = now()
  RETURNING udi_di
),
history AS (
  INSERT INTO device_history (udi_di, changed_at, source, operation, changes)
  SELECT udi_di, now(), $2, CASE WHEN is_new THEN 'insert' ELSE 'update' END,
    CASE WHEN old_issuer IS DISTINCT FROM issuer THEN jsonb_build_object('issuer', jsonb_build_object('old', old_issuer, 'new', issuer)) ELSE '{}'::jsonb END
    || CASE WHEN old_manufacturer IS DISTINCT FROM manufacturer THEN jsonb_build_object('manufacturer', jsonb_build_object('old', old_manufacturer, 'new', manufacturer)) ELSE '{}'::jsonb END
    || CASE WHEN old_product_name IS DISTINCT FROM product_name THEN jsonb_build_object('productName', jsonb_build_object('old', old_product_name, 'new', product_name)) ELSE '{}'::jsonb END
    || CASE WHEN old_model IS DISTINCT FROM model THEN jsonb_build_object('model', jsonb_build_object('old', old_model, 'new', model)) ELSE '{}'::jsonb END
    || CASE WHEN old_implant_type IS DISTINCT FROM implant_type THEN jsonb_build_object('implantType', jsonb_build_object('old', old_implant_type, 'new', implant_type)) ELSE '{}'::jsonb END
  FROM changed ORDER BY ord
  RETURNING id
)
SELECT udi_di, is_new, type_changed FROM changed ORDER BY ord`;

export async function openDatabase(db: Db): Promise<void> {
  const { migrate } = await import('../db/migrate.js');
  await migrate(db);
  await syncImplantTypes(db);
}
