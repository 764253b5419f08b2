// Storing certificates and recalls, status on a date from the stored history, and file imports.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASES } from '../helpers/databases.js';
import { COPPER_IUD, HIP_CUP, PACEMAKER, testRegister, type TestRegister } from '../helpers/register.js';
import { OPERATOR, type Caller } from '../../src/auth/caller.js';
import { addStatusChange, listCertificates, saveCertificate } from '../../src/catalogue/certificates.js';
import { listRecalls, saveRecalls } from '../../src/catalogue/recalls.js';
import { importCertificates } from '../../src/catalogue/certificate-import.js';
import { importRecalls } from '../../src/catalogue/recall-import.js';
import { SafetyFileError } from '../../src/catalogue/certificate-recall-files.js';
import { IUD_CERTIFICATE } from './fixtures.js';

const INSPECTOR: Caller = { role: 'inspector', subject: 't' };
const ADMIN: Caller = { role: 'registry-admin', subject: 't' };

const CERT_HEADER = 'udi_di,nb_number,nb_name,certificate_number,certificate_version,valid_from,valid_until,status,effective_from,reason_code';

for (const database of DATABASES) {
  describe(`certificates and recalls stored on ${database.name}`, () => {
    let reg: TestRegister;
    let dir: string;
    const count = async (table: string) => (await reg.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
    const file = async (name: string, text: string) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    };

    beforeAll(async () => {
      reg = await testRegister(database);
      dir = await mkdtemp(join(tmpdir(), 'lir-safety-'));
    });
    afterAll(async () => {
      await reg.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('answers the status on a date from the stored history: suspended, reinstated, then withdrawn', async () => {
      const saved = await reg.db.transaction((tx) => saveCertificate(tx, ADMIN, IUD_CERTIFICATE, 'fail'));
      expect(saved).toMatchObject({ created: true, statusesAdded: 4 });
      const on = async (date: string) => (await listCertificates(reg.db, INSPECTOR, { udiDi: COPPER_IUD, on: date, today: '2026-06-15' }))[0]!.statusOn!.status;
      expect(await on('2021-01-01')).toBeNull();
      expect(await on('2021-07-15')).toBe('valid');
      expect(await on('2021-07-16')).toBe('suspended');
      expect(await on('2021-10-01')).toBe('valid');
      expect(await on('2022-03-01')).toBe('withdrawn');
      const [view] = await listCertificates(reg.db, ADMIN, { udiDi: COPPER_IUD, today: '2026-06-15' });
      expect(view).toMatchObject({ notifiedBody: 'NB 0459', status: 'withdrawn', udiDis: [COPPER_IUD] });
      expect(view!.history.map((h) => [h.status, h.effectiveFrom, h.reasonCode])).toEqual([
        ['valid', '2021-02-22', 'issued'],
        ['suspended', '2021-07-16', 'technical-documentation'],
        ['valid', '2021-10-01', 'corrective-action-completed'],
        ['withdrawn', '2022-03-01', 'clinical-evidence'],
      ]);
      expect(view!.history[0]!.recordedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('keeps the history append-only: a correction is a new row, UPDATE and DELETE are refused', async () => {
      const [view] = await listCertificates(reg.db, INSPECTOR, { udiDi: COPPER_IUD });
      await expect(reg.db.query("UPDATE certificate_status_history SET status = 'valid'")).rejects.toThrow(/append-only/);
      await expect(reg.db.query('DELETE FROM certificate_status_history')).rejects.toThrow(/append-only/);
      // the inspectorate records that the withdrawal took effect a day later... as a correction row
      const added = await reg.db.transaction((tx) => addStatusChange(tx, INSPECTOR, view!.id, { status: 'valid', effectiveFrom: '2022-03-01', reasonCode: 'correction' }));
      expect(added).toEqual({ added: true });
      const again = await reg.db.transaction((tx) => addStatusChange(tx, INSPECTOR, view!.id, { status: 'valid', effectiveFrom: '2022-03-01', reasonCode: 'correction' }));
      expect(again).toEqual({ added: false }); // the same change twice is recorded once
      await reg.db.transaction((tx) => addStatusChange(tx, INSPECTOR, view!.id, { status: 'withdrawn', effectiveFrom: '2022-03-02', reasonCode: 'clinical-evidence' }));
      const [after] = await listCertificates(reg.db, INSPECTOR, { udiDi: COPPER_IUD, on: '2022-03-01' });
      expect(after!.statusOn).toEqual({ date: '2022-03-01', status: 'valid' });
      expect(after!.history).toHaveLength(6);
      expect(after!.periods.at(-1)).toEqual({ status: 'withdrawn', from: '2022-03-02', to: null, reasonCode: 'clinical-evidence' });
      // delivering the original certificate again (as a file would) does not undo the correction
      expect(await reg.db.transaction((tx) => saveCertificate(tx, ADMIN, IUD_CERTIFICATE, 'merge'))).toMatchObject({ created: false, statusesAdded: 0 });
      expect((await listCertificates(reg.db, INSPECTOR, { udiDi: COPPER_IUD, on: '2022-03-01' }))[0]!.statusOn!.status).toBe('valid');
    });

    it('refuses a status change before validFrom, for an unknown certificate, and from a provider', async () => {
      const [view] = await listCertificates(reg.db, INSPECTOR, { udiDi: COPPER_IUD });
      await expect(reg.db.transaction((tx) => addStatusChange(tx, INSPECTOR, view!.id, { status: 'suspended', effectiveFrom: '2020-01-01', reasonCode: null }))).rejects.toMatchObject({
        errors: [{ code: 'DATE_ORDER', path: '/effectiveFrom' }],
      });
      await expect(reg.db.transaction((tx) => addStatusChange(tx, INSPECTOR, '00000000-0000-4000-8000-000000000000', { status: 'suspended', effectiveFrom: '2022-01-01', reasonCode: null }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const provider: Caller = { role: 'provider', subject: 't', providerId: reg.midwife.id, providerKvk: reg.midwife.kvk };
      await expect(reg.db.transaction((tx) => addStatusChange(tx, provider, view!.id, { status: 'valid', effectiveFrom: '2022-01-01', reasonCode: null }))).rejects.toThrow(/registry-admin or inspector/);
      await expect(listCertificates(reg.db, provider, {})).rejects.toThrow(/inspector/);
      await expect(reg.db.transaction((tx) => saveCertificate(tx, INSPECTOR, IUD_CERTIFICATE, 'merge'))).rejects.toThrow(/registry-admin/);
    });

    it('imports a certificate CSV: rows add devices and status changes, problems name line, column and code', async () => {
      const path = await file(
        'certificates.csv',
        [
          CERT_HEADER,
          `${HIP_CUP},0344,DEKRA Certification B.V.,3141592,1,2019-01-01,2028-12-31,,,`,
          `${PACEMAKER},0344,DEKRA Certification B.V.,3141592,1,2019-01-01,2028-12-31,suspended,2023-01-10,quality-system`,
          `${HIP_CUP},344,DEKRA,999,1,2019-01-01,2028-12-31,,,`, // line 4: NB number not 4 digits
          `${HIP_CUP},0344,DEKRA,998,1,2019-01-01,2018-12-31,paused,2019-02-01,`, // line 5: dates in the wrong order, unknown status
          `${HIP_CUP},0344,DEKRA,997,1,2019-01-01,2028-12-31,suspended,,`, // line 6: status without a date
          `${HIP_CUP},0344,DEKRA,996,1,2019-01-01`, // line 7: too few fields
        ].join('\n') + '\n',
      );
      const r = await importCertificates(reg.db, path);
      expect(r).toMatchObject({ rows: 6, accepted: 2, rejected: 4, created: 1, statusesAdded: 2 });
      expect(r.problems.map((p) => [p.line, p.column, p.code])).toEqual([
        [4, 'nb_number', 'INVALID_FORMAT'],
        [5, 'valid_until', 'DATE_ORDER'],
        [5, 'status', 'UNKNOWN_CODE'],
        [6, 'effective_from', 'REQUIRED'],
        [7, '', 'FIELD_COUNT'],
      ]);
      const [cert] = await listCertificates(reg.db, INSPECTOR, { udiDi: PACEMAKER, on: '2023-02-01' });
      expect(cert).toMatchObject({ notifiedBody: 'NB 0344', udiDis: [HIP_CUP, PACEMAKER], statusOn: { status: 'suspended' } });
      // the same file again changes nothing
      const before = await count('certificate_status_history');
      expect(await importCertificates(reg.db, path)).toMatchObject({ accepted: 2, created: 0, statusesAdded: 0 });
      expect(await count('certificate_status_history')).toBe(before);
    });

    it('imports NDJSON certificates (the REST body per line), with JSON pointers as columns', async () => {
      const line = (o: Record<string, unknown>) => JSON.stringify({ udiDis: [PACEMAKER], nbNumber: '2797', nbName: 'BSI', certificateNumber: 'MDR 700001', certificateVersion: '1', validFrom: '2020-01-01', validUntil: '2029-12-31', ...o });
      const path = await file('certificates.ndjson', [line({ statusChanges: [{ status: 'conditional', effectiveFrom: '2020-01-01' }] }), '{not json', line({ certificateVersion: '2', statusChanges: [{ status: 'withdrawn' }] })].join('\n'));
      const r = await importCertificates(reg.db, path);
      expect(r).toMatchObject({ rows: 3, accepted: 1, rejected: 2, created: 1 });
      expect(r.problems.map((p) => [p.line, p.column, p.code])).toEqual([
        [2, '', 'INVALID_JSON'],
        [3, '/statusChanges/0/effectiveFrom', 'REQUIRED'],
      ]);
      const list = await listCertificates(reg.db, INSPECTOR, { udiDi: PACEMAKER, on: '2021-01-01' });
      expect(list.find((c) => c.nbNumber === '2797')!.statusOn!.status).toBe('conditional');
    });

    it.each([
      ['unknown column', `${CERT_HEADER},comment\n${HIP_CUP},0344,X,1,1,2019-01-01,2028-12-31,,,,hi\n`, 'UNKNOWN_COLUMN'],
      ['missing column', `udi_di,nb_number,nb_name\n${HIP_CUP},0344,X\n`, 'MISSING_COLUMN'],
      ['semicolons', `udi_di;nb_number;nb_name\n`, 'WRONG_DELIMITER'],
      ['duplicate column', `${CERT_HEADER},udi_di\n`, 'DUPLICATE_COLUMN'],
      ['empty file', '', 'EMPTY_FILE'],
    ])('writes nothing for a certificate file with a bad header (%s)', async (_name, text, code) => {
      const before = await count('certificates');
      const path = await file('bad.csv', text);
      await expect(importCertificates(reg.db, path)).rejects.toMatchObject({ code, constructor: SafetyFileError });
      expect(await count('certificates')).toBe(before);
    });

    it('imports recalls from CSV: rows of one reference and UDI-DI make one recall; bad rows are reported', async () => {
      const path = await file(
        'recalls.csv',
        [
          'reference,kind,udi_di,issued_on,lot,serial_from,serial_to,all_units',
          `FSCA-2024-001,recall,${HIP_CUP},2024-05-01,H-LOT-9,,,`,
          `FSCA-2024-001,recall,${HIP_CUP},2024-05-01,H-LOT-10,,,`,
          `FSN-2025-07,field-safety-notice,${PACEMAKER},2025-02-03,,PM0100,PM0199,`,
          `FSN-2025-07,field-safety-notice,${PACEMAKER},2025-02-03,,PM100,PM1000,`, // line 5: bounds of different length
          `FSCA-2025-100,recall,${COPPER_IUD},2025-03-01,,,,true`,
          `FSCA-2025-101,withdrawal,${COPPER_IUD},2025-03-01,,,,yes`, // line 7: unknown kind, all_units not true/false
          `FSCA-2025-102,recall,${COPPER_IUD},2025-03-01,,,,`, // line 8: which units?
        ].join('\r\n') + '\r\n',
      );
      const r = await importRecalls(reg.db, path);
      expect(r).toMatchObject({ rows: 7, accepted: 4, rejected: 3, created: 3 });
      expect(r.problems.map((p) => [p.line, p.column, p.code])).toEqual([
        [5, 'serial_to', 'SERIAL_RANGE_MISMATCH'],
        [7, 'kind', 'UNKNOWN_CODE'],
        [7, 'all_units', 'INVALID_TYPE'],
        [8, '', 'REQUIRED'],
      ]);
      const hip = await listRecalls(reg.db, INSPECTOR, { udiDi: HIP_CUP });
      expect(hip).toEqual([
        expect.objectContaining({ reference: 'FSCA-2024-001', kind: 'recall', issuedOn: '2024-05-01', allUnits: false, lots: ['H-LOT-10', 'H-LOT-9'], serialRanges: [], device: { manufacturer: 'Orthoworks', productName: 'Acetabular cup 52' } }),
      ]);
      expect((await listRecalls(reg.db, INSPECTOR, { udiDi: PACEMAKER }))[0]).toMatchObject({ kind: 'field-safety-notice', serialRanges: [{ from: 'PM0100', to: 'PM0199' }] });
      expect(await importRecalls(reg.db, path)).toMatchObject({ accepted: 4, created: 0 });
      expect(await count('recall_lots')).toBe(2);
    });

    it('imports NDJSON recalls and refuses a recall file with a bad header without writing', async () => {
      const path = await file('recalls.ndjson', JSON.stringify({ reference: 'FSN-9', kind: 'field-safety-notice', udiDi: PACEMAKER, issuedOn: '2025-06-01', serialRanges: [{ from: 'PM0500' }] }) + '\n');
      expect(await importRecalls(reg.db, path)).toMatchObject({ rows: 1, accepted: 1, created: 1 });
      const before = await count('recalls');
      const bad = await file('bad-recalls.csv', `reference,kind,udi_di,issued,lot\nR,recall,${PACEMAKER},2025-01-01,L\n`);
      await expect(importRecalls(reg.db, bad)).rejects.toMatchObject({ code: 'UNKNOWN_COLUMN', line: 1 });
      expect(await count('recalls')).toBe(before);
    });

    it('refuses a second recall with the same reference and UDI-DI over REST semantics, and merges it from files', async () => {
      const input = { reference: 'FSCA-X', kind: 'recall' as const, udiDi: HIP_CUP, issuedOn: '2025-01-01', allUnits: false, lots: ['A'], serialRanges: [] };
      await reg.db.transaction((tx) => saveRecalls(tx, INSPECTOR, [input], 'fail'));
      await expect(reg.db.transaction((tx) => saveRecalls(tx, INSPECTOR, [input], 'fail'))).rejects.toMatchObject({ code: 'RECALL_EXISTS' });
      await reg.db.transaction((tx) => saveRecalls(tx, OPERATOR, [{ ...input, lots: ['B'] }], 'merge'));
      expect((await listRecalls(reg.db, ADMIN, { udiDi: HIP_CUP })).find((x) => x.reference === 'FSCA-X')!.lots).toEqual(['A', 'B']);
    });
  });
}
