// `importCatalogue` on every database: the three column sets from hand-written fixtures, rejected
// rows with exact line, column and code, and files refused before anything is written.
//
// GTINs in test/fixtures/catalogue/ carry GS1 mod-10 check digits worked out by hand: the 13 body
// digits are weighted 3, 1, 3, … from the right, and the check digit is (10 − sum mod 10) mod 10.
//   0871234560001 → 0+8+21+1+6+3+12+5+18+0+0+0+3  = 77 → 3 → 08712345600013
//   0871234560002 → 0+8+21+1+6+3+12+5+18+0+0+0+6  = 80 → 0 → 08712345600020
//   0871234560003 → 0+8+21+1+6+3+12+5+18+0+0+0+9  = 83 → 7 → 08712345600037
//   0871234560004 → 0+8+21+1+6+3+12+5+18+0+0+0+12 = 86 → 4 → 08712345600044 (the fixture writes
//                   the GTIN-13 8712345600044: the same sum without the leading 0)
//   0871234560005 → 0+8+21+1+6+3+12+5+18+0+0+0+15 = 89 → 1 → 08712345600051
//   0871234560006 → 0+8+21+1+6+3+12+5+18+0+0+0+18 = 92 → 8 → 08712345600068
//   0088452100011 → 0+0+24+8+12+5+6+1+0+0+0+1+3   = 60 → 0 → 00884521000110
//   0088452100028 → 0+0+24+8+12+5+6+1+0+0+0+2+24  = 82 → 8 → 00884521000288
//   0088452100035 → 0+0+24+8+12+5+6+1+0+0+0+3+15  = 74 → 6 → 00884521000356
//   0088452100042 → 0+0+24+8+12+5+6+1+0+0+0+4+6   = 66 → 4 → 00884521000424
//   0088452100059 → 0+0+24+8+12+5+6+1+0+0+0+5+27  = 88 → 2 → 00884521000592 (the fixture's …0590 is wrong)
//   0088452100066 → 0+0+24+8+12+5+6+1+0+0+0+6+18  = 80 → 0 → 00884521000660
//   0405612300001 → 0+4+0+5+18+1+6+3+0+0+0+0+3    = 40 → 0 → 04056123000010
//   0405612300002 → 0+4+0+5+18+1+6+3+0+0+0+0+6    = 43 → 7 → 04056123000027
//   0540123400003 → 0+5+12+0+3+2+9+4+0+0+0+0+9    = 44 → 6 → 05401234000036
//   0540123400004 → 0+5+12+0+3+2+9+4+0+0+0+0+12   = 47 → 3 → 05401234000043 (the CSV's …0044 is wrong)
// GLNs (12 body digits, same rule): 401234500000 → 31 → 9 → 4012345000009; 540123400000 → 35 → 5 → 5401234000005.
// 08712345600014 (rejects-lir.csv) is 08712345600013 with a wrong check digit.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import type { Db, Queryable } from '../../src/db/types.js';
import { loadImplantTypes } from '../../src/catalogue/reference-data.js';
import { CatalogueFileError, detectFormat, importCatalogue, type CatalogueImportOptions } from '../../src/catalogue/catalogue-import.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/catalogue/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);

interface DeviceRow {
  udi_di: string;
  issuer: string;
  manufacturer: string;
  product_name: string;
  model: string | null;
  implant_type: string;
}

for (const database of DATABASES) {
  describe(`catalogue import on ${database.name}`, () => {
    let db: Db;
    let implantTypes: CatalogueImportOptions['implantTypes'];
    let dir: string;
    const device = async (udiDi: string) => (await db.query<DeviceRow>('SELECT udi_di, issuer, manufacturer, product_name, model, implant_type FROM devices WHERE udi_di = $1', [udiDi]))[0];
    const deviceCount = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM devices'))[0]!.n;
    const run = (file: string, extra: Partial<CatalogueImportOptions> = {}) => importCatalogue(db, file, { implantTypes, ...extra });
    const temp = async (name: string, text: string) => {
      const p = join(dir, name);
      await writeFile(p, text);
      return p;
    };

    beforeAll(async () => {
      db = await database.open();
      implantTypes = await loadImplantTypes(db);
      dir = await mkdtemp(join(tmpdir(), 'lir-catalogue-'));
    });
    afterAll(async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('reads our own column set from CSV: GS1 (a GTIN-13 stored as GTIN-14), HIBCC without "+", ICCBBA', async () => {
      const r = await run(fixture('devices-lir.csv'));
      expect(r).toMatchObject({ format: 'csv', columnSet: 'lir', rows: 5, written: 5, inserted: 5, updated: 0, unchanged: 0, rejected: 0, problems: [], ignoredColumns: [] });
      expect(await device('08712345600013')).toEqual({ udi_di: '08712345600013', issuer: 'GS1', manufacturer: 'Cuprum Medical B.V.', product_name: 'CuFlex 380 koperspiraal', model: 'CF380-STD', implant_type: '13.01' });
      expect(await device('08712345600044')).toEqual({ udi_di: '08712345600044', issuer: 'GS1', manufacturer: 'Silhouette Implants B.V.', product_name: 'Rondo borstimplantaat, rond, 350 cc', model: 'RD-350', implant_type: '11.01' });
      expect(await device('H123CF380M1')).toMatchObject({ issuer: 'HIBCC', product_name: 'CuFlex 380 mini', implant_type: '13.01' });
      expect(await device('A9999XYZ100T0474')).toMatchObject({ issuer: 'ICCBBA', model: null, implant_type: '04.05' });
    });

    it('reads our own column set from NDJSON with camelCase keys; the issuer of a GTIN may be left out', async () => {
      const r = await run(fixture('devices-lir.ndjson'));
      expect(r).toMatchObject({ format: 'ndjson', columnSet: 'lir', rows: 2, inserted: 2, rejected: 0 });
      expect(await device('08712345600068')).toEqual({ udi_di: '08712345600068', issuer: 'GS1', manufacturer: 'Cardiotec Nederland B.V.', product_name: 'DualBeat elektrode 52 cm', model: 'DBL-52', implant_type: '04.01.02' });
    });

    it('reads the AccessGUDID device.txt download (pipe-delimited, all 34 columns) with --implant-type', async () => {
      const without = await run(fixture('gudid-device.txt'));
      expect(without).toMatchObject({ format: 'pipe', columnSet: 'gudid', rows: 3, written: 0, rejected: 3 });
      expect(without.problems).toEqual([2, 3, 4].map((line) => ({
        line,
        column: 'implant_type',
        code: 'REQUIRED',
        message: 'implant_type is required: GUDID (FDA AccessGUDID download) has no implant-type code; add an implant_type column or pass --implant-type <code>',
      })));
      expect(await device('00884521000110')).toBeUndefined();

      const r = await run(fixture('gudid-device.txt'), { defaultImplantType: '04.01.01' });
      expect(r).toMatchObject({ columnSet: 'gudid', rows: 3, inserted: 3, rejected: 0, problems: [] });
      // every other GUDID column is reported as not used
      expect(r.ignoredColumns).toHaveLength(34 - 5);
      expect(r.ignoredColumns).toEqual(expect.arrayContaining(['publicDeviceRecordKey', 'deviceDescription', 'MRISafetyStatus', 'sterilizationPriorToUse']));
      expect(await device('00884521000110')).toEqual({ udi_di: '00884521000110', issuer: 'GS1', manufacturer: 'CARDIONOVA INC.', product_name: 'Vitalis DR', model: 'VDR-200', implant_type: '04.01.01' });
      // no versionModelNumber: the catalogNumber is the model
      expect(await device('00884521000356')).toMatchObject({ product_name: 'Vitalis Micro', model: 'VMC-10' });
    });

    it('reads GUDID columns from CSV: maps issuing agencies, refuses NDC/NHRIC and bad GTINs, takes the default type only where the row has none', async () => {
      const r = await run(fixture('devices-gudid.csv'), { defaultImplantType: '04.01.01' });
      expect(r).toMatchObject({ format: 'csv', columnSet: 'gudid', rows: 5, inserted: 3, rejected: 2 });
      expect(r.problems).toEqual([
        { line: 4, column: 'deviceIdIssuingAgency', code: 'UNSUPPORTED_ISSUER', message: 'NDC/NHRIC device identifiers are issued for the US market only; the register takes GS1, HIBCC and ICCBBA UDI-DIs' },
        { line: 5, column: 'PrimaryDI', code: 'GS1_CHECK_DIGIT', message: '00884521000590 is not a GTIN with a valid check digit: the last digit should be 2' },
      ]);
      expect(await device('00884521000424')).toEqual({ udi_di: '00884521000424', issuer: 'GS1', manufacturer: 'VASCUTECH, INC.', product_name: 'Coronaflex Everolimus', model: '1145350-28', implant_type: '09.04' });
      expect(await device('H629XS30281')).toMatchObject({ issuer: 'HIBCC', model: 'XS-3028', implant_type: '09.04' });
      expect(await device('00884521000660')).toMatchObject({ product_name: 'Vitalis DR', implant_type: '04.01.01' });
    });

    it('reads GS1 GDSN attributes from CSV: manufacturer falls back to the brand owner, product to the description, only model type codes give a model', async () => {
      const r = await run(fixture('devices-gs1.csv'));
      expect(r).toMatchObject({ columnSet: 'gs1', rows: 5, inserted: 3, rejected: 2, ignoredColumns: ['manufacturerOfTradeItem/gln'] });
      expect(r.problems).toEqual([
        { line: 5, column: 'gtin', code: 'GS1_CHECK_DIGIT', message: '05401234000044 is not a GTIN with a valid check digit: the last digit should be 3' },
        { line: 6, column: 'gtin', code: 'INVALID_FORMAT', message: '5401234 is not a GTIN: a GS1 UDI-DI has 8, 12, 13 or 14 digits' },
      ]);
      expect(await device('04056123000010')).toEqual({ udi_di: '04056123000010', issuer: 'GS1', manufacturer: 'OrthoWerk GmbH', product_name: 'Corona', model: 'CS-12', implant_type: '01.01.02' });
      expect(await device('04056123000027')).toEqual({ udi_di: '04056123000027', issuer: 'GS1', manufacturer: 'OrthoWerk GmbH', product_name: 'Genua CR femoral component size 5 left', model: null, implant_type: '01.02.01' });
      expect(await device('05401234000036')).toMatchObject({ manufacturer: 'AudiLux NV', product_name: 'AudiLux Nova', model: 'ALN-CI-22', implant_type: '08.01' });
    });

    it('reads GS1 GDSN attributes from nested NDJSON (paths such as tradeItemDescriptionInformation/brandNameInformation/brandName)', async () => {
      const r = await run(fixture('devices-gs1.ndjson'));
      expect(r).toMatchObject({ format: 'ndjson', columnSet: 'gs1', rows: 1, inserted: 1, rejected: 0, ignoredColumns: ['manufacturerOfTradeItem/gln'] });
      expect(await device('05401234000043')).toEqual({ udi_di: '05401234000043', issuer: 'GS1', manufacturer: 'AudiLux NV', product_name: 'AudiLux Nova SlimLine', model: 'ALN-SL-22', implant_type: '08.01' });
    });

    it('reports every rejected row with its physical line, column and code, and writes the good rows', async () => {
      const r = await run(fixture('rejects-lir.csv'));
      expect(r).toMatchObject({ rows: 10, written: 0, unchanged: 1, rejected: 9 }); // line 2 is already in the catalogue
      expect(r.problems.map(({ line, column, code }) => ({ line, column, code }))).toEqual([
        { line: 3, column: 'udi_di', code: 'GS1_CHECK_DIGIT' },
        { line: 4, column: 'issuer', code: 'UNKNOWN_CODE' },
        { line: 5, column: 'manufacturer', code: 'REQUIRED' }, // the row spans lines 5–6
        { line: 7, column: 'implant_type', code: 'UNKNOWN_CODE' },
        { line: 8, column: 'implant_type', code: 'REQUIRED' },
        { line: 9, column: 'udi_di', code: 'INVALID_FORMAT' },
        { line: 10, column: '', code: 'FIELD_COUNT' },
        { line: 11, column: 'manufacturer', code: 'STRAY_QUOTE' },
        { line: 12, column: 'issuer', code: 'REQUIRED' },
      ]);
      expect(r.problems.find((p) => p.line === 8)!.message).toBe('implant_type is required: give a code from the implant-type list, or pass --implant-type <code> for rows without one');
      expect(r.problems.find((p) => p.line === 10)!.message).toBe('the row has 5 fields; the header has 6');
      expect(r.problems.find((p) => p.line === 12)!.message).toBe('issuer is required when udi_di is not a GTIN; give GS1, HIBCC or ICCBBA');
      expect(await device('08712345600014')).toBeUndefined();
    });

    it('refuses a header that matches no column set, naming the sets, before writing anything', async () => {
      const before = await deviceCount();
      const err = await run(fixture('unknown-header.csv')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CatalogueFileError);
      expect(err).toMatchObject({ code: 'UNKNOWN_COLUMN_SET' });
      expect((err as Error).message).toMatch(/^the header matches no column set: it needs one of the identifying columns udi_di \(LIR\), PrimaryDI \(GUDID \(FDA AccessGUDID download\)\), gtin \(GS1 \(GDSN trade item attributes\)\)/);
      expect((err as Error).message).toContain('LIR: udi_di, issuer, manufacturer, product_name, model, implant_type');
      const ndjson = await temp('odd.ndjson', '{"di":"08712345600013","maker":"X"}\n');
      await expect(run(ndjson)).rejects.toMatchObject({ code: 'UNKNOWN_COLUMN_SET' });
      expect(await deviceCount()).toBe(before);
    });

    it('refuses ambiguous, incomplete, duplicated, unknown (our set) and empty headers, and an unknown default type', async () => {
      const cases: [string, string, string][] = [
        ['both.csv', 'udi_di,gtin,manufacturer,product_name\n', 'AMBIGUOUS_COLUMN_SET'],
        ['missing.csv', 'PrimaryDI,companyName\n', 'MISSING_COLUMN'],
        ['twice.csv', 'gtin,brandName,brandNameInformation/brandName,brandOwner/partyName\n', 'DUPLICATE_COLUMN'],
        ['typo.csv', 'udi_di,manufacturer,product_name,implant_typ\n', 'UNKNOWN_COLUMN'],
        ['empty.csv', '', 'EMPTY_FILE'],
      ];
      for (const [name, text, code] of cases) await expect(run(await temp(name, text)), name).rejects.toMatchObject({ code });
      await expect(run(await temp('missing2.csv', 'PrimaryDI,companyName\n'))).rejects.toThrow('the header has no brandName column (GUDID (FDA AccessGUDID download) column set)');
      await expect(run(fixture('devices-lir.csv'), { defaultImplantType: '99.99' })).rejects.toMatchObject({ code: 'UNKNOWN_CODE' });
    });

    it('tells the formats apart from the file’s start', async () => {
      expect(await detectFormat(fixture('gudid-device.txt'))).toBe('pipe');
      expect(await detectFormat(fixture('devices-gudid.csv'))).toBe('csv');
      expect(await detectFormat(await temp('objects.txt', '\uFEFF{"gtin":"04056123000010"}\n'))).toBe('ndjson');
      expect(await detectFormat(fixture('devices-lir.ndjson'))).toBe('ndjson');
    });

    it('writes set-based: a constant number of statements per chunk, whatever the number of devices', async () => {
      let statements = 0;
      const counting = (q: Queryable): Queryable => ({
        query: (sql, params) => {
          statements++;
          return q.query(sql, params);
        },
        copyFrom: (t, c, chunks) => q.copyFrom(t, c, chunks),
      });
      const countingDb: Db = { kind: db.kind, ...counting(db), transaction: (fn) => db.transaction((tx) => fn(counting(tx))), close: () => db.close() };
      const lines = ['udi_di,manufacturer,product_name,implant_type'];
      for (let i = 0; i < 2500; i++) lines.push(`${gtin14(`09990000${String(i).padStart(5, '0')}`)},Bulk Medical,Bulk stent ${i},09.04`);
      const file = await temp('bulk.csv', lines.join('\n') + '\n');
      const r = await importCatalogue(countingDb, file, { implantTypes, chunkSize: 1000 });
      expect(r).toMatchObject({ rows: 2500, inserted: 2500, rejected: 0 });
      // per chunk: the writer lock, the upsert-with-history statement, the record resolution
      expect(statements).toBe(3 * 3);
      statements = 0;
      const again = await importCatalogue(countingDb, file, { implantTypes, chunkSize: 1000 });
      expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 2500 });
      expect(statements).toBe(3 * 3);
      const history = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM device_history WHERE source = 'bulk.csv'");
      expect(history[0]!.n).toBe(2500);
    });
  });
}

/** Appends the GS1 check digit to a 13-digit body (for generated bulk rows only). */
function gtin14(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return body + ((10 - (sum % 10)) % 10);
}
