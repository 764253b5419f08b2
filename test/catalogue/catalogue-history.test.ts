// The device catalogue's update history on every database: one append-only row per insert or
// change, none for an unchanged device, written by upsertDevices in the same transaction.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import type { Db } from '../../src/db/types.js';
import { loadImplantTypes, upsertDevices, type Device } from '../../src/catalogue/reference-data.js';
import { importCatalogue } from '../../src/catalogue/catalogue-import.js';
import { deviceHistory } from '../../src/catalogue/catalogue-history.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/catalogue/', import.meta.url));

// 0871234560001 → 0+8+21+1+6+3+12+5+18+0+0+0+3 = 77 → check digit 3 (see catalogue-import.test.ts)
const CUFLEX = '08712345600013';
// 0871234560002 → 0+8+21+1+6+3+12+5+18+0+0+0+6 = 80 → check digit 0
const LEVO = '08712345600020';

interface HistoryRow {
  udi_di: string;
  source: string;
  operation: string;
  changes: Record<string, { old: string | null; new: string | null }>;
}

for (const database of DATABASES) {
  describe(`device history on ${database.name}`, () => {
    let db: Db;
    let dir: string;
    let implantTypes: Awaited<ReturnType<typeof loadImplantTypes>>;
    const rows = (udiDi?: string) =>
      db.query<HistoryRow>(`SELECT udi_di, source, operation, changes FROM device_history ${udiDi ? 'WHERE udi_di = $1' : ''} ORDER BY id`, udiDi ? [udiDi] : []);

    beforeAll(async () => {
      db = await database.open();
      implantTypes = await loadImplantTypes(db);
      dir = await mkdtemp(join(tmpdir(), 'lir-history-'));
    });
    afterAll(async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('writes one insert row per new device, with every field that has a value, source = the file name', async () => {
      const r = await importCatalogue(db, join(FIXTURES, 'devices-lir.csv'), { implantTypes });
      expect(r.inserted).toBe(5);
      const all = await rows();
      expect(all).toHaveLength(5);
      expect(all.map((h) => [h.udi_di, h.operation, h.source])).toEqual([
        [CUFLEX, 'insert', 'devices-lir.csv'],
        [LEVO, 'insert', 'devices-lir.csv'],
        ['08712345600044', 'insert', 'devices-lir.csv'],
        ['H123CF380M1', 'insert', 'devices-lir.csv'],
        ['A9999XYZ100T0474', 'insert', 'devices-lir.csv'],
      ]);
      expect(all[0]!.changes).toEqual({
        issuer: { old: null, new: 'GS1' },
        manufacturer: { old: null, new: 'Cuprum Medical B.V.' },
        productName: { old: null, new: 'CuFlex 380 koperspiraal' },
        model: { old: null, new: 'CF380-STD' },
        implantType: { old: null, new: '13.01' },
      });
      // no model: no model entry
      expect(Object.keys(all[4]!.changes).sort()).toEqual(['implantType', 'issuer', 'manufacturer', 'productName']);
    });

    it('writes nothing when the same file is imported again', async () => {
      const r = await importCatalogue(db, join(FIXTURES, 'devices-lir.csv'), { implantTypes });
      expect(r).toMatchObject({ inserted: 0, updated: 0, unchanged: 5, written: 0 });
      expect(await rows()).toHaveLength(5);
      const [{ updated_at }] = (await db.query<{ updated_at: string }>('SELECT updated_at FROM devices WHERE udi_di = $1', [CUFLEX])) as [{ updated_at: string }];
      const [{ changed_at }] = (await db.query<{ changed_at: string }>('SELECT changed_at FROM device_history WHERE udi_di = $1', [CUFLEX])) as [{ changed_at: string }];
      expect(updated_at).toBe(changed_at); // the device row was not touched either
    });

    it('writes one update row with only the changed fields, old → new', async () => {
      const file = join(dir, 'devices-2026-07.csv');
      await writeFile(
        file,
        [
          'udi_di,issuer,manufacturer,product_name,model,implant_type',
          `${CUFLEX},GS1,Cuprum Medical B.V.,CuFlex 380 koperspiraal (standaard),,13.01`,
          `${LEVO},GS1,Hormona Pharma B.V.,LevoSpiraal 52 mg,LS52,13.02`,
        ].join('\n') + '\n',
      );
      const r = await importCatalogue(db, file, { implantTypes });
      expect(r).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });
      const h = await rows(CUFLEX);
      expect(h).toHaveLength(2);
      expect(h[1]).toEqual({
        udi_di: CUFLEX,
        source: 'devices-2026-07.csv',
        operation: 'update',
        changes: { productName: { old: 'CuFlex 380 koperspiraal', new: 'CuFlex 380 koperspiraal (standaard)' }, model: { old: 'CF380-STD', new: null } },
      });
      expect(await rows(LEVO)).toHaveLength(1);
    });

    it("records other callers as 'api', applies a UDI-DI given twice in order, and reads the history oldest first", async () => {
      const moved: Device = { udiDi: LEVO, issuer: 'GS1', manufacturer: 'Hormona Pharma B.V.', productName: 'LevoSpiraal 52 mg', model: 'LS52', implantType: '13.01' };
      const r = await upsertDevices(db, [moved, { ...moved, implantType: '13.02', model: 'LS52-B' }]);
      expect(r).toMatchObject({ inserted: 0, updated: 2, unchanged: 0, changed: [LEVO, LEVO] });
      const history = await deviceHistory(db, LEVO);
      expect(history).toMatchObject({ udiDi: LEVO, inCatalogue: true });
      expect(history!.items.map((i) => [i.operation, i.source, i.changes])).toEqual([
        ['insert', 'devices-lir.csv', expect.objectContaining({ implantType: { old: null, new: '13.02' } })],
        ['update', 'api', { implantType: { old: '13.02', new: '13.01' } }],
        ['update', 'api', { implantType: { old: '13.01', new: '13.02' }, model: { old: 'LS52', new: 'LS52-B' } }],
      ]);
      expect(history!.items[0]!.changedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      // a GTIN-13 finds the GTIN-14; a DI never seen gives undefined
      expect((await deviceHistory(db, '8712345600044'))!.udiDi).toBe('08712345600044');
      expect(await deviceHistory(db, '08712345999995')).toBeUndefined();
    });

    it('keeps a consistent history when two writers change the same new device at once', async () => {
      // 0871234560006 → 0+8+21+1+6+3+12+5+18+0+0+0+18 = 92 → check digit 8
      const di = '08712345600068';
      const base: Device = { udiDi: di, issuer: 'GS1', manufacturer: 'Cardiotec Nederland B.V.', productName: 'DualBeat elektrode', model: null, implantType: '04.01.02' };
      const writes = ['52 cm', '58 cm', '65 cm', '75 cm'].map((len) => upsertDevices(db, [{ ...base, model: `DBL-${len}` }], { source: `writer ${len}` }));
      const results = await Promise.all(writes);
      expect(results.map((r) => r.inserted).reduce((a, b) => a + b)).toBe(1);
      const h = await rows(di);
      expect(h.map((r) => r.operation)).toEqual(['insert', 'update', 'update', 'update']);
      // every update starts where the one before it ended
      for (let i = 1; i < h.length; i++) expect(h[i]!.changes.model!.old).toBe((h[i - 1]!.changes.model ?? { new: null }).new);
      const [now] = await db.query<{ model: string }>('SELECT model FROM devices WHERE udi_di = $1', [di]);
      expect(now!.model).toBe(h[3]!.changes.model!.new);
    });

    it('is append-only: the database refuses UPDATE and DELETE', async () => {
      await expect(db.query("UPDATE device_history SET source = 'x'")).rejects.toThrow(/append-only: UPDATE/);
      await expect(db.query('DELETE FROM device_history')).rejects.toThrow(/append-only: DELETE/);
      expect((await rows()).length).toBeGreaterThan(0);
    });

    it('keeps device and history together: a failed transaction leaves neither', async () => {
      const before = (await rows()).length;
      const fresh: Device = { udiDi: '08712345600037', issuer: 'GS1', manufacturer: 'Silhouette Implants B.V.', productName: 'Rondo 400 cc', model: null, implantType: '11.01' };
      await expect(
        db.transaction(async (tx) => {
          await upsertDevices(tx, [fresh]);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await rows()).length).toBe(before);
      expect(await db.query('SELECT 1 FROM devices WHERE udi_di = $1', [fresh.udiDi])).toEqual([]);
    });
  });
}
