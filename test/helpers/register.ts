// Builds a register on a test database with two providers and a small catalogue.
// GTINs below carry correct GS1 mod-10 check digits, worked out by hand in the comments.

import type { Db } from '../../src/db/types.js';
import { servicesFor, type Services } from '../../src/register/services.js';
import { upsertDevices, upsertProvider, type Provider } from '../../src/catalogue/reference-data.js';
import type { TestDatabase } from './databases.js';
import type { AuthOptions } from '../../src/auth/oauth-service.js';

// Body 0871234500001, digits from the right weighted 3,1,3,…: 3+0+0+0+0+5+12+3+6+1+21+8+0 = 59,
// check digit (10 − 59 mod 10) mod 10 = 1 → 08712345000011. The others the same way.
export const COPPER_IUD = '08712345000011';
export const HIP_CUP = '08712345000042';
export const PACEMAKER = '08712345000073';
export const UNKNOWN_DI = '08712345999995';

export interface TestRegister {
  db: Db;
  services: Services;
  hospital: Provider;
  midwife: Provider;
  close(): Promise<void>;
}

export async function testRegister(database: TestDatabase, now = () => new Date('2026-06-15T10:00:00Z'), opts: { auth?: AuthOptions } = {}): Promise<TestRegister> {
  const db = await database.open();
  const services = await servicesFor(db, now, opts);
  const hospital = await upsertProvider(db, { kvk: '12345678', agb: '06010001', name: 'Test Ziekenhuis', type: 'hospital', region: 'Utrecht' });
  const midwife = await upsertProvider(db, { kvk: '87654321', agb: null, name: 'Verloskundigen Test', type: 'midwifery-practice', region: 'Utrecht' });
  await upsertDevices(db, [
    { udiDi: COPPER_IUD, issuer: 'GS1', manufacturer: 'Cuprum Medical', productName: 'CuFlex 380', model: 'CF380', implantType: '13.01' },
    { udiDi: HIP_CUP, issuer: 'GS1', manufacturer: 'Orthoworks', productName: 'Acetabular cup 52', model: 'AC52', implantType: '01.01.01' },
    { udiDi: PACEMAKER, issuer: 'GS1', manufacturer: 'Cardiotec', productName: 'DualBeat DR', model: 'DB-DR', implantType: '04.01.01' },
  ]);
  return { db, services, hospital, midwife, close: () => db.close() };
}
