// `lir certificates import`, `lir recalls import` and `lir query suspended`, in process, on an
// embedded database in a temporary LIR_DATA_DIR.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { captureOutput } from '../helpers/capture-output.js';
import { main } from '../../src/cli/main.js';
import { OPERATOR } from '../../src/auth/caller.js';
import { PgliteDb } from '../../src/db/pglite-db.js';
import { servicesFor } from '../../src/register/services.js';
import { upsertDevices, upsertProvider } from '../../src/catalogue/reference-data.js';

const IUD = '08717648200274';
let dir: string;
const saved = { dataDir: process.env.LIR_DATA_DIR, url: process.env.DATABASE_URL };
const lir = (...args: string[]) => captureOutput(() => main(['node', 'lir', ...args]));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lir-safety-cli-'));
  process.env.LIR_DATA_DIR = join(dir, 'db');
  delete process.env.DATABASE_URL;
  const db = await PgliteDb.open(join(dir, 'db'));
  const services = await servicesFor(db, () => new Date('2026-06-15T10:00:00Z'));
  await upsertProvider(db, { kvk: '41215422', agb: null, name: 'Verloskundigenpraktijk De Linde', type: 'midwifery-practice', region: 'Gelderland' });
  await upsertProvider(db, { kvk: '30276521', agb: null, name: 'Maasziekenhuis', type: 'hospital', region: 'Limburg' });
  await upsertDevices(db, [{ udiDi: IUD, issuer: 'GS1', manufacturer: 'Cuprum Medical', productName: 'Ball IUD', model: 'B1', implantType: '13.01' }]);
  const r = await services.intake.deliver({
    records: [
      { providerKvk: '41215422', providerRecordRef: 'C-1', patientPseudonym: 'ttp1:AAAAAAAAAAAAAAAA01', udiDi: IUD, lot: 'L1', implantDate: '2021-06-30' },
      { providerKvk: '41215422', providerRecordRef: 'C-2', patientPseudonym: 'ttp1:AAAAAAAAAAAAAAAA02', udiDi: IUD, lot: 'L1', implantDate: '2021-07-20' },
      { providerKvk: '41215422', providerRecordRef: 'C-3', patientPseudonym: 'ttp1:AAAAAAAAAAAAAAAA02', udiDi: IUD, lot: 'L2', implantDate: '2021-09-01' },
      { providerKvk: '30276521', providerRecordRef: 'C-4', udiDi: IUD, lot: 'L2', implantDate: '2021-08-01' },
    ],
    mode: 'transaction',
    channel: 'rest',
    caller: OPERATOR,
  });
  expect(r.status).toBe('accepted');
  await db.close();
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

describe('lir certificates, recalls and query suspended', () => {
  it('lists the new commands', async () => {
    const r = await lir('--help');
    expect(r.out).toMatch(/certificates/);
    expect(r.out).toMatch(/recalls/);
  });

  it('refuses a certificate file with a bad header and writes nothing (exit 1)', async () => {
    const file = join(dir, 'bad.csv');
    await writeFile(file, 'udi_di,nb,nb_name\n');
    const r = await lir('certificates', 'import', file);
    expect(r.exitCode).toBe(1);
    expect(r.err).toMatch(/bad\.csv:1: UNKNOWN_COLUMN: unknown column "nb"/);
    const list = await lir('certificates', 'list', '--udi-di', IUD, '--json');
    expect(JSON.parse(list.out)).toEqual([]);
  });

  it('imports certificates (exit 1 with a rejected row, listed by line and column) and answers who implanted while suspended', async () => {
    const file = join(dir, 'certificates.csv');
    await writeFile(
      file,
      [
        'udi_di,nb_number,nb_name,certificate_number,certificate_version,valid_from,valid_until,status,effective_from,reason_code',
        `${IUD},0459,GMED,CE-12345,3,2021-02-22,2024-05-26,suspended,2021-07-16,technical-documentation`,
        `${IUD},0459,GMED,CE-12345,3,2021-02-22,2024-05-26,valid,2021-08-15,corrective-action-completed`,
        `${IUD},45,GMED,CE-9,1,2021-02-22,2024-05-26,,,`,
      ].join('\n') + '\n',
    );
    const r = await lir('certificates', 'import', file);
    expect(r.exitCode).toBe(1);
    expect(r.out).toContain('3 rows: 2 accepted, 1 rejected; 1 new certificates, 3 status changes recorded');
    expect(r.out).toContain('line 4, nb_number: INVALID_FORMAT');

    const text = await lir('certificates', 'list', '--udi-di', IUD, '--on', '2021-08-01');
    expect(text.out).toContain('NB 0459 GMED: certificate CE-12345 version 3');
    expect(text.out).toContain('on 2021-08-01: suspended');

    process.exitCode = undefined;
    const q = await lir('query', 'suspended', '--json');
    expect(q.exitCode).toBeUndefined();
    const answer = JSON.parse(q.out);
    expect(answer).toMatchObject({
      implants: 2, // C-2 (2021-07-20), C-4 (2021-08-01); C-3 is after the reinstatement
      patients: 2,
      devices: [
        {
          udiDi: IUD,
          productName: 'Ball IUD',
          certificate: { notifiedBody: 'NB 0459', certificateNumber: 'CE-12345' },
          status: 'suspended',
          period: { from: '2021-07-16', to: '2021-08-14' },
          providers: [
            { kvk: '30276521', name: 'Maasziekenhuis', implants: 1, patients: 1 },
            { kvk: '41215422', name: 'Verloskundigenpraktijk De Linde', implants: 1, patients: 1 },
          ],
        },
      ],
    });
    const human = await lir('query', 'suspended');
    expect(human.out).toMatch(/implants: 2\npatients: 2/);
    expect(human.out).toContain('NB 0459 GMED, certificate CE-12345 version 3: suspended 2021-07-16 – 2021-08-14 (technical-documentation)');
    const bad = await lir('query', 'suspended', '--from', '2021-02-30');
    expect(bad.exitCode).toBe(1);
    expect(bad.err).toMatch(/from: from must be a date/);
  });

  it('imports recalls from NDJSON and lists them', async () => {
    const file = join(dir, 'recalls.ndjson');
    await writeFile(file, JSON.stringify({ reference: 'FSCA-2021-07', kind: 'recall', udiDi: IUD, issuedOn: '2021-08-20', lots: ['L1', 'L2'] }) + '\n');
    const r = await lir('recalls', 'import', file, '--json');
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ rows: 1, accepted: 1, rejected: 0, created: 1, problems: [] });
    const list = await lir('recalls', 'list', '--udi-di', IUD);
    expect(list.out).toContain(`2021-08-20  FSCA-2021-07  recall  ${IUD}  lots L1, L2`);
    const missing = await lir('recalls', 'import', join(dir, 'nope.csv'));
    expect(missing.exitCode).toBe(1);
    expect(missing.err).toMatch(/FILE_NOT_FOUND/);
  });
});
