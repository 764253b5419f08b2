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

/** Adds or updates catalogue devices; returns how many rows were written. */
export async function upsertDevices(q: Queryable, devices: readonly Device[]): Promise<number> {
  if (devices.length === 0) return 0;
  const rows = await q.query<{ n: number }>(
    `WITH up AS (
       INSERT INTO devices (udi_di, issuer, manufacturer, product_name, model, implant_type)
       SELECT udi_di, issuer, manufacturer, product_name, model, implant_type
       FROM jsonb_to_recordset($1::jsonb) AS x(udi_di text, issuer text, manufacturer text, product_name text, model text, implant_type text)
       ON CONFLICT (udi_di) DO UPDATE SET issuer = EXCLUDED.issuer, manufacturer = EXCLUDED.manufacturer,
         product_name = EXCLUDED.product_name, model = EXCLUDED.model, implant_type = EXCLUDED.implant_type, updated_at = now()
       RETURNING 1)
     SELECT count(*)::int AS n FROM up`,
    [JSON.stringify(devices.map((d) => ({ udi_di: d.udiDi, issuer: d.issuer, manufacturer: d.manufacturer, product_name: d.productName, model: d.model, implant_type: d.implantType })))],
  );
  // Records waiting for these UDI-DIs become resolved and take the catalogue's implant type.
  await q.query(
    `UPDATE records r SET device_resolved = true, implant_type = d.implant_type
     FROM devices d WHERE r.udi_di = d.udi_di AND r.udi_di = ANY($1::text[]) AND (r.device_resolved = false OR r.implant_type IS DISTINCT FROM d.implant_type)`,
    [devices.map((d) => d.udiDi)],
  );
  return rows[0]?.n ?? 0;
}

export async function openDatabase(db: Db): Promise<void> {
  const { migrate } = await import('../db/migrate.js');
  await migrate(db);
  await syncImplantTypes(db);
}
