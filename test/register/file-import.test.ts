import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATABASES } from '../helpers/databases.js';
import type { Db } from '../../src/db/types.js';
import { servicesFor, type Services } from '../../src/register/services.js';
import { upsertDevices, upsertProvider } from '../../src/catalogue/reference-data.js';
import { FileImportError, importFile, type ImportOptions, type ImportProgress } from '../../src/register/file-import.js';
import { readCsv } from '../../src/register/csv-reader.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/import/', import.meta.url));
/** The register's clock: the fixture's dates are June 2025. */
const NOW = () => new Date('2025-06-30T10:00:00Z');
const HOSPITAL = '41215422';
const SECOND_HOSPITAL = '30276521';
const COPPER_IUD = '08717648200274'; // GS1 check digit 4
const HIP_STEM = '04052372000153'; // GS1 check digit 3

const RECEIPT_HEADER = ['line', 'column', 'provider_record_ref', 'severity', 'code', 'message'];
const ROLES = 'gynaecologist, gp, midwife, surgeon, cardiologist, abortion-doctor, other';

/** The receipt's rows (header first), read back with our own CSV reader. */
async function receipt(path: string): Promise<string[][]> {
  const rows: string[][] = [];
  for await (const r of readCsv(createReadStream(path))) {
    expect(r.error).toBeUndefined();
    rows.push(r.fields);
  }
  return rows;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

for (const database of DATABASES) {
  describe(`file import on ${database.name}`, () => {
    let db: Db;
    let services: Services;
    let dir: string;
    const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params))[0]!.n;
    const run = (file: string, opts: ImportOptions = {}) => importFile(services, join(dir, file), { now: NOW, ...opts });
    const failure = (p: Promise<unknown>) => p.then(() => expect.fail('the import should have failed'), (e: unknown) => e as FileImportError);

    beforeAll(async () => {
      db = await database.open();
      services = await servicesFor(db, NOW);
      await upsertProvider(db, { kvk: HOSPITAL, agb: '06010713', name: 'Ziekenhuis Rivierenland', type: 'hospital', region: 'Gelderland' });
      await upsertProvider(db, { kvk: SECOND_HOSPITAL, agb: null, name: 'Maasziekenhuis', type: 'hospital', region: 'Limburg' });
      await upsertDevices(db, [
        { udiDi: COPPER_IUD, issuer: 'GS1', manufacturer: 'Cuprum Medical', productName: 'Cu 375 Standard', model: 'CU375', implantType: '13.01' },
        { udiDi: HIP_STEM, issuer: 'GS1', manufacturer: 'Orthoworks', productName: 'Cementless stem', model: 'CS-12', implantType: '01.01' },
      ]);
      // the receipts are written next to the input, so work on copies
      dir = await mkdtemp(join(tmpdir(), 'lir-import-'));
      for (const f of await readdir(FIXTURES)) if (!f.startsWith('.')) await copyFile(join(FIXTURES, f), join(dir, f));
    });
    afterAll(async () => {
      await services?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('imports the CSV fixture (BOM, CRLF, quotes, a multi-line cell) with exact counts and one delivery per provider', async () => {
      const progress: ImportProgress[] = [];
      const size = (await stat(join(dir, 'records.csv'))).size;
      const summary = await run('records.csv', { chunkSize: 3, onProgress: (p) => progress.push(p) });

      expect(summary).toMatchObject({ rows: 11, created: 5, updated: 0, unchanged: 0, withdrawn: 0, rejected: 6, warnings: 2, receiptPath: join(dir, 'records.csv.receipt.csv') });
      expect(summary.seconds).toBeGreaterThanOrEqual(0);
      expect(progress.map((p) => p.rows)).toEqual([3, 6, 9, 11]); // one report per chunk of 3
      expect(progress.at(-1)).toEqual({ bytes: size, totalBytes: size, rows: 11, accepted: 5, rejected: 6 });

      // one delivery per provider across all four chunks; rows the CSV layer rejected and the
      // row with an invalid KvK number belong to no provider's delivery
      expect(summary.deliveryIds).toHaveLength(2);
      const deliveries = await db.query<Record<string, unknown>>(
        `SELECT p.kvk, d.channel, d.mode, d.source, d.total, d.created, d.rejected, d.warnings
         FROM deliveries d JOIN providers p ON p.id = d.provider_id WHERE d.id = ANY($1::uuid[]) ORDER BY p.kvk`,
        [summary.deliveryIds],
      );
      expect(deliveries).toEqual([
        { kvk: SECOND_HOSPITAL, channel: 'file', mode: 'batch', source: 'records.csv', total: 2, created: 2, rejected: 0, warnings: 1 },
        { kvk: HOSPITAL, channel: 'file', mode: 'batch', source: 'records.csv', total: 6, created: 3, rejected: 3, warnings: 1 },
      ]);

      expect(await receipt(summary.receiptPath)).toEqual([
        RECEIPT_HEADER,
        // the quoted cell "gynae<CRLF>cologist" spans lines 4–5; the row is reported at line 4
        ['4', '11', 'IUD-2025-0003', 'error', 'UNKNOWN_CODE', `professional_role must be one of: ${ROLES}`],
        ['6', '8', 'IUD-2025-0004', 'error', 'FUTURE_DATE', 'implant_date 2099-01-15 lies in the future (today is 2025-06-30)'],
        ['7', '9', 'HIP-2025-0005', 'error', 'DATE_ORDER', 'explant_date is before implant_date 2025-05-20'],
        ['8', '2', 'IUD-2025-0006', 'error', 'INVALID_FORMAT', 'provider_kvk must be exactly 8 digits'],
        ['9', '6', 'IUD-2025-0007', 'error', 'CSV_SYNTAX', 'a quote inside an unquoted field; enclose the whole field in quotes and double the quote ("") (line 9, column 75)'],
        ['10', '', 'IUD-2025-0008', 'error', 'FIELD_COUNT', 'the row has 12 fields; the header has 14'],
        ['11', '', 'HIP-2025-0009', 'warning', 'LATE_DELIVERY', 'delivered after the legal deadline of 2025-06-10 (one month after the event)'],
        ['13', '5', 'IUD-2025-0011', 'warning', 'UNRESOLVED_UDI_DI', 'UDI-DI 08712345678906 is not in the device catalogue yet; the record is stored and marked unresolved'],
      ]);

      const records = await db.query<Record<string, unknown>>(
        `SELECT provider_record_ref AS ref, kind, lot, serial, laterality, weeks_postpartum, breastfeeding, implant_type, device_resolved, closed_explant_date, late
         FROM records ORDER BY provider_record_ref`,
      );
      expect(records).toEqual([
        { ref: 'HIP-2025-0002', kind: 'implantation', lot: null, serial: 'SN-88213', laterality: '7771000', weeks_postpartum: null, breastfeeding: null, implant_type: '01.01', device_resolved: true, closed_explant_date: null, late: false },
        { ref: 'HIP-2025-0009', kind: 'implantation', lot: null, serial: 'SN-77120', laterality: '51440002', weeks_postpartum: null, breastfeeding: null, implant_type: '01.01', device_resolved: true, closed_explant_date: null, late: true },
        // quoted "CU-2411-A" stored without quotes; closed by the explantation IUD-EX-0010 of the other hospital
        { ref: 'IUD-2025-0001', kind: 'implantation', lot: 'CU-2411-A', serial: null, laterality: null, weeks_postpartum: 8, breastfeeding: false, implant_type: '13.01', device_resolved: true, closed_explant_date: '2025-06-25', late: false },
        { ref: 'IUD-2025-0011', kind: 'implantation', lot: 'LNG-52-0091', serial: null, laterality: null, weeks_postpartum: null, breastfeeding: true, implant_type: '13.02', device_resolved: false, closed_explant_date: null, late: false },
        { ref: 'IUD-EX-0010', kind: 'explantation', lot: 'CU-2411-A', serial: null, laterality: null, weeks_postpartum: null, breastfeeding: null, implant_type: '13.01', device_resolved: true, closed_explant_date: null, late: false },
      ]);
      expect(await count('SELECT count(*)::int AS n FROM record_versions')).toBe(5);
    });

    it('re-importing the same file stores nothing new: every accepted row is unchanged', async () => {
      const versions = await count('SELECT count(*)::int AS n FROM record_versions');
      const summary = await run('records.csv'); // default chunk size: one chunk
      expect(summary).toMatchObject({ rows: 11, created: 0, updated: 0, unchanged: 5, withdrawn: 0, rejected: 6, warnings: 1 });
      expect(await count('SELECT count(*)::int AS n FROM record_versions')).toBe(versions);
      expect(await count('SELECT count(*)::int AS n FROM records')).toBe(5);
      const rows = await receipt(summary.receiptPath);
      expect(rows.map((r) => `${r[0]}:${r[4]}`)).toEqual(['line:code', '4:UNKNOWN_CODE', '6:FUTURE_DATE', '7:DATE_ORDER', '8:INVALID_FORMAT', '9:CSV_SYNTAX', '10:FIELD_COUNT', '13:UNRESOLVED_UDI_DI']);
    });

    it('imports NDJSON for one provider: an update, a withdrawal, a malformed line (INVALID_JSON) and an invalid record', async () => {
      const summary = await run('records.ndjson', { providerKvk: HOSPITAL, chunkSize: 2 });
      expect(summary).toMatchObject({ rows: 5, created: 1, updated: 1, unchanged: 0, withdrawn: 1, rejected: 2, warnings: 0 });
      expect(summary.deliveryIds).toHaveLength(1);
      const line4 = '{"providerKvk":"41215422","providerRecordRef":"IUD-2025-0012","implantDate":"2025-06-28"';
      expect(await receipt(summary.receiptPath)).toEqual([
        RECEIPT_HEADER,
        ['4', String(line4.length + 1), '', 'error', 'INVALID_JSON', expect.stringMatching(/^the line is not valid JSON: .*position 88/)],
        ['5', '', 'IUD-2025-0013', 'error', 'UNKNOWN_FIELD', 'unknown field "implant_date"; the register accepts only the documented fields'],
        ['5', '', 'IUD-2025-0013', 'error', 'REQUIRED', 'a record needs an implantDate, or an explantDate or deathDate for an implant placed elsewhere'],
      ]);
      const state = await db.query<{ ref: string; version: number; status: string; lot: string | null }>(
        "SELECT provider_record_ref AS ref, version, status, lot FROM records WHERE provider_record_ref IN ('HIP-2025-0002', 'IUD-2025-0011', 'IUD-2025-0014') ORDER BY 1",
      );
      expect(state).toEqual([
        { ref: 'HIP-2025-0002', version: 2, status: 'active', lot: 'L-5521' },
        { ref: 'IUD-2025-0011', version: 2, status: 'withdrawn', lot: 'LNG-52-0091' },
        { ref: 'IUD-2025-0014', version: 1, status: 'active', lot: 'CU-2412-C' }, // providerKvk from --provider
      ]);
    });

    it('refuses a header with an unknown column before anything is written', async () => {
      const before = [await count('SELECT count(*)::int AS n FROM records'), await count('SELECT count(*)::int AS n FROM deliveries')];
      const err = await failure(run('records-unknown-column.csv'));
      expect(err).toBeInstanceOf(FileImportError);
      expect(err).toMatchObject({ code: 'UNKNOWN_COLUMN', line: 1, column: 7, columnName: 'implantDate' });
      expect(err.message).toMatch(/^unknown column "implantDate" \(column 7\); did you mean implant_date\?/);
      expect([await count('SELECT count(*)::int AS n FROM records'), await count('SELECT count(*)::int AS n FROM deliveries')]).toEqual(before);
      expect(await exists(join(dir, 'records-unknown-column.csv.receipt.csv'))).toBe(false);
      expect(await exists(join(dir, 'records-unknown-column.csv.receipt.csv.partial'))).toBe(false);
    });

    it('refuses a duplicate column', async () => {
      const err = await failure(run('records-duplicate-column.csv'));
      expect(err).toMatchObject({ code: 'DUPLICATE_COLUMN', line: 1, column: 6, columnName: 'lot', message: 'column "lot" appears twice (columns 4 and 6)' });
    });

    it('needs provider_kvk or --provider; an unregistered --provider is rejected per row by intake', async () => {
      const file = join(dir, 'no-provider-column.csv');
      await writeFile(file, 'provider_record_ref,udi_di,lot,implant_date\nIUD-77-1,08717648200274,CU-1,2025-06-20\nIUD-77-2,08717648200274,CU-1,2025-06-21\n');
      expect(await failure(importFile(services, file, { now: NOW }))).toMatchObject({ code: 'MISSING_COLUMN', columnName: 'provider_kvk' });
      expect(await failure(importFile(services, file, { now: NOW, providerKvk: '1234' }))).toMatchObject({ code: 'INVALID_PROVIDER' });

      const unknown = await importFile(services, file, { now: NOW, providerKvk: '99999999' });
      expect(unknown).toMatchObject({ rows: 2, created: 0, rejected: 2, deliveryIds: [] });
      expect((await receipt(unknown.receiptPath)).slice(1)).toEqual([
        ['2', '', 'IUD-77-1', 'error', 'UNKNOWN_PROVIDER', 'no provider with KvK number 99999999 is registered'],
        ['3', '', 'IUD-77-2', 'error', 'UNKNOWN_PROVIDER', 'no provider with KvK number 99999999 is registered'],
      ]);

      const ok = await importFile(services, file, { now: NOW, providerKvk: SECOND_HOSPITAL, receiptPath: join(dir, 'custom-receipt.csv') });
      expect(ok).toMatchObject({ rows: 2, created: 2, rejected: 0, warnings: 0, receiptPath: join(dir, 'custom-receipt.csv') });
      expect(await receipt(ok.receiptPath)).toEqual([RECEIPT_HEADER]);
    });

    it('rejects a row that is not UTF-8 and a quote left open at the end; a runaway quote stops the import', async () => {
      const file = join(dir, 'encoding.csv');
      const head = 'provider_kvk,provider_record_ref,udi_di,lot,implant_date\r\n';
      await writeFile(file, Buffer.concat([
        Buffer.from(head + '41215422,ENC-1,08717648200274,CU-1,2025-06-20\r\n'),
        Buffer.from('41215422,ENC-2,08717648200274,Lot-\u00e9,2025-06-20\r\n', 'latin1'), // é as one Windows-1252 byte
        Buffer.from('41215422,ENC-3,08717648200274,"CU-1,2025-06-20\r\n'),
      ]));
      const summary = await importFile(services, file, { now: NOW });
      expect(summary).toMatchObject({ rows: 3, created: 1, rejected: 2 });
      expect((await receipt(summary.receiptPath)).slice(1)).toEqual([
        ['3', '4', 'ENC-2', 'error', 'INVALID_ENCODING', 'lot is not valid UTF-8; save the file as UTF-8'],
        ['4', '4', 'ENC-3', 'error', 'CSV_SYNTAX', 'the quoted field that starts at line 4, column 31 has no closing quote'],
      ]);

      const runaway = join(dir, 'runaway.csv');
      const rows = Array.from({ length: 10 }, (_, i) => `41215422,RUN-${i},08717648200274,CU-1,2025-06-20\n`).join('');
      await writeFile(runaway, head + rows + '41215422,RUN-X,08717648200274,"CU-1,2025-06-20\n' + 'x,'.repeat(600_000));
      const err = await failure(importFile(services, runaway, { now: NOW, chunkSize: 5 }));
      expect(err).toMatchObject({ code: 'ROW_TOO_LONG', line: 12, column: 31 });
      expect(err.message).toContain('probably missing its closing quote');
      // the chunks before the runaway row are stored (as after a crash); no half receipt is left
      expect(await count("SELECT count(*)::int AS n FROM records WHERE provider_record_ref LIKE 'RUN-%'")).toBe(10);
      expect(await exists(`${runaway}.receipt.csv`)).toBe(false);
      expect(await exists(`${runaway}.receipt.csv.partial`)).toBe(false);
    });

    it('stops at a chunk the database fails to store: the chunks before it are stored, none after it, no receipt is left', async () => {
      // chunk N+1 is validated while chunk N is stored; a failing store must still end the import there
      const file = join(dir, 'store-fails.csv');
      const head = 'provider_kvk,provider_record_ref,udi_di,lot,implant_date\r\n';
      await writeFile(file, head + Array.from({ length: 15 }, (_, i) => `41215422,SF-${i},08717648200274,CU-1,2025-06-20\r\n`).join(''));
      let stores = 0;
      const failing = {
        intake: {
          startSession: () => services.intake.startSession(),
          prepare: (req: Parameters<Services['intake']['prepare']>[0]) => services.intake.prepare(req),
          store: (p: Parameters<Services['intake']['store']>[0]) => (++stores === 2 ? Promise.reject(new Error('the database went away')) : services.intake.store(p)),
        },
      };
      await expect(importFile(failing, file, { now: NOW, chunkSize: 5 })).rejects.toThrow('the database went away');
      expect(stores).toBe(2);
      expect((await db.query<{ r: string }>("SELECT provider_record_ref AS r FROM records WHERE provider_record_ref LIKE 'SF-%' ORDER BY 1")).map((x) => x.r)).toEqual(['SF-0', 'SF-1', 'SF-2', 'SF-3', 'SF-4']);
      expect(await exists(`${file}.receipt.csv`)).toBe(false);
      expect(await exists(`${file}.receipt.csv.partial`)).toBe(false);
    });

    it('trims cells and never repeats a reference that looks like a BSN in the receipt', async () => {
      const file = join(dir, 'spaces.csv');
      await writeFile(file, 'provider_kvk,provider_record_ref,udi_di,lot,implant_date,breastfeeding\n41215422, TRIM-1 ,08717648200274, CU-9 ,2025-06-20, true \n41215422,111222333,08717648200274,CU-9,2025-06-20,\n');
      const summary = await importFile(services, file, { now: NOW });
      expect(summary).toMatchObject({ rows: 2, created: 1, rejected: 1 });
      expect(await db.query("SELECT lot, breastfeeding FROM records WHERE provider_record_ref = 'TRIM-1'")).toEqual([{ lot: 'CU-9', breastfeeding: true }]);
      expect((await receipt(summary.receiptPath)).slice(1)).toEqual([
        ['3', '2', '', 'error', 'LOOKS_LIKE_BSN', 'provider_record_ref looks like a BSN; use an internal reference that does not identify the patient'],
      ]);
    });

    it('recognises NDJSON by its first character, and refuses a missing file or an empty CSV', async () => {
      const file = join(dir, 'export.txt');
      await writeFile(file, '\n  {"providerKvk":"30276521","providerRecordRef":"HIP-88-1","udiDi":"04052372000153","serial":"S1","implantDate":"2025-06-29"}\n');
      expect(await importFile(services, file, { now: NOW })).toMatchObject({ rows: 1, created: 1, rejected: 0 });
      expect(await failure(importFile(services, join(dir, 'nope.csv')))).toMatchObject({ code: 'FILE_NOT_FOUND' });
      await writeFile(join(dir, 'empty.csv'), '\uFEFF\r\n');
      expect(await failure(importFile(services, join(dir, 'empty.csv')))).toMatchObject({ code: 'EMPTY_FILE' });
      await writeFile(join(dir, 'semicolons.csv'), 'provider_kvk;provider_record_ref;implant_date\n');
      expect(await failure(importFile(services, join(dir, 'semicolons.csv')))).toMatchObject({ code: 'WRONG_DELIMITER' });
    });
  });
}
