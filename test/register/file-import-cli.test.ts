// `lir import` in process: exit codes, summary output and file-level errors (embedded database in a
// temporary LIR_DATA_DIR; the child-process run on both databases is file-import-crash.test.ts).

import { afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import { captureOutput } from '../helpers/capture-output.js';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { PgliteDb } from '../../src/db/pglite-db.js';
import { servicesFor } from '../../src/register/services.js';
import { upsertDevices, upsertProvider } from '../../src/catalogue/reference-data.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/import/', import.meta.url));
let dir: string;
const saved = { dataDir: process.env.LIR_DATA_DIR, url: process.env.DATABASE_URL };

const lir = (...args: string[]) => captureOutput(() => main(['node', 'lir', ...args]));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lir-import-cli-'));
  process.env.LIR_DATA_DIR = join(dir, 'db');
  delete process.env.DATABASE_URL;
  const db = await PgliteDb.open(join(dir, 'db'));
  await servicesFor(db);
  await upsertProvider(db, { kvk: '41215422', agb: null, name: 'Ziekenhuis Rivierenland', type: 'hospital', region: 'Gelderland' });
  await upsertProvider(db, { kvk: '30276521', agb: null, name: 'Maasziekenhuis', type: 'hospital', region: 'Limburg' });
  await upsertDevices(db, [{ udiDi: '08717648200274', issuer: 'GS1', manufacturer: 'Cuprum Medical', productName: 'Cu 375 Standard', model: 'CU375', implantType: '13.01' }]);
  await db.close();
  for (const f of ['records.csv', 'records-unknown-column.csv']) await copyFile(join(FIXTURES, f), join(dir, f));
});
afterEach(() => {
  process.exitCode = undefined;
});
afterAll(async () => {
  if (saved.dataDir === undefined) delete process.env.LIR_DATA_DIR;
  else process.env.LIR_DATA_DIR = saved.dataDir;
  if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('lir import', () => {
  it('exits 0 when every row is accepted, with a human summary on stdout and progress on stderr', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const file = join(dir, 'today.csv');
    await writeFile(file, `provider_record_ref,udi_di,lot,implant_date\nIUD-T-1,08717648200274,CU-1,${today}\nIUD-T-2,08717648200274,CU-1,${today}\n`);
    const r = await lir('import', file, '--provider', '41215422');
    expect(r.exitCode).toBe(0);
    expect(r.out).toContain(`${file}: 2 rows in `);
    expect(r.out).toMatch(/created\s+2\n/);
    expect(r.out).toMatch(/rejected\s+0\n/);
    expect(r.out).toContain(`receipt: ${file}.receipt.csv (no issues)`);
    expect(r.err).toMatch(/today\.csv done 100%\s+2 rows/);
    expect(await readFile(`${file}.receipt.csv`, 'utf8')).toBe('line,column,provider_record_ref,severity,code,message\r\n');
  });

  it('exits 1 when a row is rejected; --json prints the summary', async () => {
    const r = await lir('import', join(dir, 'records.csv'), '--json', '--chunk-size', '4', '--receipt', join(dir, 'receipt.csv'));
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ rows: 11, created: 5, rejected: 6, receiptPath: join(dir, 'receipt.csv') });
  });

  it('exits 1 with one line on stderr for a bad header, a missing file or a bad option', async () => {
    const header = await lir('import', join(dir, 'records-unknown-column.csv'));
    expect(header.exitCode).toBe(1);
    expect(header.out).toBe('');
    expect(header.err).toMatch(/^lir: .*records-unknown-column\.csv:1:7: unknown column "implantDate" \(column 7\); did you mean implant_date\?/);

    const missing = await lir('import', join(dir, 'missing.csv'));
    expect(missing).toMatchObject({ exitCode: 1, err: `lir: no such file: ${join(dir, 'missing.csv')}\n` });

    const option = await lir('import', join(dir, 'records.csv'), '--chunk-size', 'lots');
    expect(option.exitCode).toBe(1);
    expect(option.err).toContain("option '--chunk-size <n>' argument 'lots' is invalid");
  });
});
