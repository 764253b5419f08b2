// Loads the simulated providers and catalogue into a register database (`lir simulate --load`),
// so that `lir import DIR/records.csv` works right after.

import type { Db } from '../../db/types.js';
import { upsertDevices, upsertProvider } from '../../catalogue/reference-data.js';
import type { SimDevice } from './catalogue.js';
import { catalogueDevices } from './catalogue.js';
import type { SimProvider } from './providers.js';

export async function loadReferenceData(db: Db, providers: readonly SimProvider[], devices: readonly SimDevice[]): Promise<{ providers: number; devices: number }> {
  await db.transaction(async (tx) => {
    for (const p of providers) await upsertProvider(tx, { kvk: p.kvk, agb: p.agb, name: p.name, type: p.type, region: p.region });
  });
  const catalogue = catalogueDevices(devices);
  await upsertDevices(db, catalogue, { source: 'lir simulate' });
  return { providers: providers.length, devices: catalogue.length };
}
