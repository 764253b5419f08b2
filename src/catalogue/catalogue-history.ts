// The device catalogue's update history (table device_history, written by upsertDevices): every
// insert or change of a device, oldest first, with the changed fields old → new.

import type { Queryable } from '../db/types.js';

export const DEVICE_FIELDS = ['issuer', 'manufacturer', 'productName', 'model', 'implantType'] as const;
export type DeviceField = (typeof DEVICE_FIELDS)[number];

export interface DeviceHistoryEntry {
  changedAt: string;
  /** The catalogue file's name, 'api', or 'migration' for devices older than the history. */
  source: string;
  operation: 'insert' | 'update';
  changes: Partial<Record<DeviceField, { old: string | null; new: string | null }>>;
}

export interface DeviceHistory {
  udiDi: string;
  /** Whether the catalogue holds the device now. */
  inCatalogue: boolean;
  items: DeviceHistoryEntry[];
}

/** A GTIN-8, -12 or -13 is the same GS1 UDI-DI as its 14-digit form (the form the catalogue keeps). */
export function normaliseUdiDi(udiDi: string): string {
  const s = udiDi.trim();
  return /^[0-9]{8}$|^[0-9]{12,13}$/.test(s) ? s.padStart(14, '0') : s;
}

/** The history of one UDI-DI, or undefined when the catalogue never held it. */
export async function deviceHistory(q: Queryable, udiDi: string): Promise<DeviceHistory | undefined> {
  const di = normaliseUdiDi(udiDi);
  const items = await q.query<DeviceHistoryEntry>(
    `SELECT changed_at AS "changedAt", source, operation, changes
     FROM device_history WHERE udi_di = $1 ORDER BY id`,
    [di],
  );
  const [inCatalogue] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM devices WHERE udi_di = $1', [di]);
  const held = (inCatalogue?.n ?? 0) > 0;
  if (items.length === 0 && !held) return undefined;
  return { udiDi: di, inCatalogue: held, items };
}
