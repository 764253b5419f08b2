// The rules without a database: status on a date, periods, renewals, serial ranges, input checks.
import { describe, expect, it } from 'vitest';
import { alertPeriods, alertsOn, statusOn, statusPeriods, subtract, type CertificateWithHistory, type StatusEntry } from '../../src/catalogue/certificate-status.js';
import { parseCertificateInput, parseStatusChange } from '../../src/catalogue/certificates.js';
import { parseRecallInput, rangeShape, serialInRange } from '../../src/catalogue/recalls.js';
import { parseSuspendedFilter } from '../../src/register/suspended-implants.js';

const entry = (seq: number, status: StatusEntry['status'], effectiveFrom: string, reasonCode: string | null = null): StatusEntry => ({ seq, status, effectiveFrom, reasonCode });

const cert = (history: StatusEntry[], extra: Partial<CertificateWithHistory> = {}): CertificateWithHistory => ({
  id: 'c1',
  nbNumber: '0459',
  nbName: 'GMED',
  certificateNumber: 'CE-12345',
  certificateVersion: '3',
  validFrom: '2021-02-22',
  validUntil: '2024-05-26',
  history,
  ...extra,
});

// Suspended, reinstated, then withdrawn (the sequence the brief asks for).
const SRW = cert([
  entry(1, 'valid', '2021-02-22', 'issued'),
  entry(2, 'suspended', '2021-07-16', 'technical-documentation'),
  entry(3, 'valid', '2021-10-01', 'corrective-action-completed'),
  entry(4, 'withdrawn', '2022-03-01', 'clinical-evidence'),
]);

describe('certificate status on a date', () => {
  it.each([
    ['2021-02-21', null], // before validFrom: not in force
    ['2021-02-22', 'valid'],
    ['2021-07-15', 'valid'],
    ['2021-07-16', 'suspended'], // the day the suspension takes effect
    ['2021-09-30', 'suspended'],
    ['2021-10-01', 'valid'], // reinstated
    ['2022-02-28', 'valid'],
    ['2022-03-01', 'withdrawn'],
    ['2024-05-26', 'withdrawn'],
    ['2025-01-01', 'withdrawn'], // withdrawn stays withdrawn after validUntil
  ])('suspended, reinstated, withdrawn: on %s it is %s', (date, expected) => {
    expect(statusOn(SRW, date)?.status ?? null).toBe(expected);
  });

  it('gives the periods of that history', () => {
    expect(statusPeriods(SRW)).toEqual([
      { status: 'valid', from: '2021-02-22', to: '2021-07-15', reasonCode: 'issued' },
      { status: 'suspended', from: '2021-07-16', to: '2021-09-30', reasonCode: 'technical-documentation' },
      { status: 'valid', from: '2021-10-01', to: '2022-02-28', reasonCode: 'corrective-action-completed' },
      { status: 'withdrawn', from: '2022-03-01', to: null, reasonCode: 'clinical-evidence' },
    ]);
  });

  it('lets any status but withdrawn expire after validUntil (Ballerine: suspended 2021-07-16, valid until 2024-05-26)', () => {
    const c = cert([entry(1, 'valid', '2021-02-22', 'issued'), entry(2, 'suspended', '2021-07-16', 'technical-documentation')]);
    expect(statusOn(c, '2024-05-26')?.status).toBe('suspended');
    expect(statusOn(c, '2024-05-27')?.status).toBe('expired');
    expect(statusPeriods(c)).toEqual([
      { status: 'valid', from: '2021-02-22', to: '2021-07-15', reasonCode: 'issued' },
      { status: 'suspended', from: '2021-07-16', to: '2024-05-26', reasonCode: 'technical-documentation' },
      { status: 'expired', from: '2024-05-27', to: null, reasonCode: null },
    ]);
  });

  it('takes the row recorded last when two rows share an effective date (a correction)', () => {
    const c = cert([entry(1, 'valid', '2021-02-22'), entry(2, 'suspended', '2021-07-16'), entry(3, 'valid', '2021-07-16', 'correction')]);
    expect(statusOn(c, '2021-08-01')?.status).toBe('valid');
    expect(statusPeriods(c)).toEqual([{ status: 'valid', from: '2021-02-22', to: '2024-05-26', reasonCode: null }, { status: 'expired', from: '2024-05-27', to: null, reasonCode: null }]);
  });

  it('orders by effective date, not by the order of recording', () => {
    const c = cert([entry(1, 'valid', '2021-02-22'), entry(2, 'withdrawn', '2022-03-01'), entry(3, 'suspended', '2021-07-16')]);
    expect(statusOn(c, '2021-08-01')?.status).toBe('suspended');
    expect(statusOn(c, '2022-03-02')?.status).toBe('withdrawn');
  });

  it('agrees with its own periods on every day', () => {
    const periods = statusPeriods(SRW);
    for (let d = new Date('2021-01-01'); d <= new Date('2025-12-31'); d.setUTCDate(d.getUTCDate() + 1)) {
      const day = d.toISOString().slice(0, 10);
      const p = periods.find((x) => x.from <= day && (x.to === null || day <= x.to));
      expect(p?.status ?? null, day).toBe(statusOn(SRW, day)?.status ?? null);
    }
  });
});

describe('alert periods of a device', () => {
  it('are the suspended and withdrawn periods, with the start as "since"', () => {
    const a = alertPeriods('DI', [SRW]);
    expect(a.map((p) => [p.status, p.from, p.to, p.since])).toEqual([
      ['suspended', '2021-07-16', '2021-09-30', '2021-07-16'],
      ['withdrawn', '2022-03-01', null, '2022-03-01'],
    ]);
    expect(alertsOn(a, '2021-07-15')).toEqual([]);
    expect(alertsOn(a, '2021-08-01').map((p) => p.status)).toEqual(['suspended']);
    expect(alertsOn(a, '2030-01-01').map((p) => p.status)).toEqual(['withdrawn']);
  });

  it('leave out the days a renewed version of the same certificate was in force', () => {
    const v1 = cert([entry(1, 'valid', '2016-01-01'), entry(2, 'suspended', '2021-03-01')], { id: 'v1', certificateVersion: '1', validFrom: '2016-01-01', validUntil: '2021-05-26' });
    const v2 = cert([entry(3, 'valid', '2021-04-01')], { id: 'v2', certificateVersion: '2', validFrom: '2021-04-01', validUntil: '2024-05-26' });
    const a = alertPeriods('DI', [v1, v2]);
    expect(a.map((p) => [p.certificate.id, p.from, p.to, p.since])).toEqual([['v1', '2021-03-01', '2021-03-31', '2021-03-01']]);
  });

  it('but not the days another certificate (a different number) was in force', () => {
    const design = cert([entry(1, 'valid', '2021-02-22'), entry(2, 'suspended', '2021-07-16')], { id: 'design' });
    const qms = cert([entry(3, 'valid', '2020-01-01')], { id: 'qms', certificateNumber: 'QMS-9', validFrom: '2020-01-01', validUntil: '2025-01-01' });
    expect(alertPeriods('DI', [design, qms]).map((p) => [p.certificate.id, p.from, p.to])).toEqual([['design', '2021-07-16', '2024-05-26']]);
  });

  it('subtracts inclusive date spans', () => {
    expect(subtract(['2021-01-01', '2021-12-31'], [['2021-03-01', '2021-03-31']])).toEqual([
      ['2021-01-01', '2021-02-28'],
      ['2021-04-01', '2021-12-31'],
    ]);
    expect(subtract(['2021-01-01', null], [['2020-01-01', '2021-06-30']])).toEqual([['2021-07-01', null]]);
    expect(subtract(['2021-01-01', '2021-02-01'], [['2020-01-01', null]])).toEqual([]);
    expect(subtract(['2021-01-01', '2021-02-01'], [['2021-03-01', null]])).toEqual([['2021-01-01', '2021-02-01']]);
  });
});

describe('serial ranges', () => {
  const r = { from: 'SN0100', to: 'SN0199' };
  it.each([
    ['SN0100', true],
    ['SN0150', true],
    ['SN0199', true],
    ['SN0099', false],
    ['SN0200', false],
    ['SN150', false], // other length: no match, not 150 = 0150
    ['SN00150', false],
    ['SX0150', false], // other prefix
    ['SN01A0', false], // not digits where the number is
    ['sn0150', false], // case matters
  ])('SN0100–SN0199 contains %s: %s', (serial, expected) => {
    expect(serialInRange(serial, r)).toBe(expected);
  });

  it('compares the digits as numbers across a carry (0990–1010) and without a prefix', () => {
    expect(serialInRange('1000', { from: '0990', to: '1010' })).toBe(true);
    expect(serialInRange('0989', { from: '0990', to: '1010' })).toBe(false);
    expect(serialInRange('A1B150', { from: 'A1B100', to: 'A1B199' })).toBe(true);
  });

  it('matches a single serial (from = to) exactly, also without digits', () => {
    expect(serialInRange('ABC', { from: 'ABC', to: 'ABC' })).toBe(true);
    expect(serialInRange('ABD', { from: 'ABC', to: 'ABC' })).toBe(false);
    expect(serialInRange('SN150', { from: 'SN0150', to: 'SN0150' })).toBe(false);
  });

  it.each([
    [{ from: 'SN100', to: 'SN1000' }, 'SERIAL_RANGE_MISMATCH'],
    [{ from: 'A100', to: 'B100' }, 'SERIAL_RANGE_MISMATCH'],
    [{ from: 'ABC', to: 'ABD' }, 'SERIAL_RANGE_MISMATCH'],
    [{ from: 'SN0199', to: 'SN0100' }, 'RANGE_ORDER'],
  ])('refuses the range %j with %s', (range, code) => {
    const shape = rangeShape(range);
    expect('error' in shape && shape.error.code).toBe(code);
  });
});

describe('input checks', () => {
  const good = {
    udiDis: ['08712345000011'],
    nbNumber: '0459',
    nbName: 'GMED',
    certificateNumber: 'CE-12345',
    certificateVersion: '3',
    validFrom: '2021-02-22',
    validUntil: '2024-05-26',
    statusChanges: [{ status: 'suspended', effectiveFrom: '2021-07-16', reasonCode: 'technical-documentation' }],
  };
  const pointers = (r: { ok: boolean; errors?: { code: string; path: string }[] }) => (r.ok ? [] : r.errors!.map((e) => [e.code, e.path]));

  it('accepts a good certificate and normalises "NB 0459"', () => {
    const r = parseCertificateInput({ ...good, nbNumber: 'NB 0459' });
    expect(r).toEqual({ ok: true, value: { ...good, nbNumber: '0459' } });
  });

  it.each([
    [{ nbNumber: '459' }, 'INVALID_FORMAT', '/nbNumber'],
    [{ nbNumber: '04590' }, 'INVALID_FORMAT', '/nbNumber'],
    [{ nbNumber: 459 }, 'INVALID_TYPE', '/nbNumber'],
    [{ validUntil: '2020-01-01' }, 'DATE_ORDER', '/validUntil'],
    [{ validFrom: '2021-02-30' }, 'INVALID_DATE', '/validFrom'],
    [{ statusChanges: [{ status: 'paused', effectiveFrom: '2021-07-16' }] }, 'UNKNOWN_CODE', '/statusChanges/0/status'],
    [{ statusChanges: [{ status: 'suspended', effectiveFrom: '2020-07-16' }] }, 'DATE_ORDER', '/statusChanges/0/effectiveFrom'],
    [{ statusChanges: [{ status: 'suspended', effectiveFrom: '2021-07-16', reasonCode: 'because' }] }, 'UNKNOWN_CODE', '/statusChanges/0/reasonCode'],
    [{ udiDis: ['08712345000012'] }, 'GS1_CHECK_DIGIT', '/udiDis/0'],
    [{ udiDis: [] }, 'REQUIRED', '/udiDis'],
    [{ certificateNumber: undefined }, 'REQUIRED', '/certificateNumber'],
    [{ comment: 'x' }, 'UNKNOWN_FIELD', '/comment'],
  ])('refuses %j with %s at %s', (change, code, path) => {
    expect(pointers(parseCertificateInput({ ...good, ...change }))).toContainEqual([code, path]);
  });

  it('checks a status change on its own', () => {
    expect(parseStatusChange({ status: 'withdrawn', effectiveFrom: '2022-03-01' })).toEqual({ ok: true, value: { status: 'withdrawn', effectiveFrom: '2022-03-01', reasonCode: null } });
    expect(pointers(parseStatusChange({ status: 'gone', effectiveFrom: '2022-3-1' }))).toEqual([
      ['UNKNOWN_CODE', '/status'],
      ['INVALID_DATE', '/effectiveFrom'],
    ]);
  });

  const recall = { reference: 'FSCA-2024-001', kind: 'recall', udiDi: '08712345000042', issuedOn: '2024-05-01', lots: ['H-LOT-9'] };
  it('accepts recalls of lots, serial ranges (to defaults to from) or all units', () => {
    expect(parseRecallInput(recall)).toMatchObject({ ok: true, value: { allUnits: false, lots: ['H-LOT-9'], serialRanges: [] } });
    expect(parseRecallInput({ ...recall, lots: undefined, serialRanges: [{ from: 'PM0150' }] })).toMatchObject({ ok: true, value: { serialRanges: [{ from: 'PM0150', to: 'PM0150' }] } });
    expect(parseRecallInput({ ...recall, lots: undefined, allUnits: true })).toMatchObject({ ok: true, value: { allUnits: true, lots: [] } });
  });

  it.each([
    [{ kind: 'warning' }, 'UNKNOWN_CODE', '/kind'],
    [{ issuedOn: '2024-13-01' }, 'INVALID_DATE', '/issuedOn'],
    [{ lots: undefined }, 'REQUIRED', ''],
    [{ allUnits: true }, 'NOT_ALLOWED', '/allUnits'],
    [{ lots: undefined, serialRanges: [{ from: 'SN100', to: 'SN1000' }] }, 'SERIAL_RANGE_MISMATCH', '/serialRanges/0/to'],
    [{ lots: undefined, serialRanges: [{ from: 'SN0199', to: 'SN0100' }] }, 'RANGE_ORDER', '/serialRanges/0/from'],
    [{ allUnits: 'yes', lots: undefined }, 'INVALID_TYPE', '/allUnits'],
    [{ udiDi: undefined }, 'REQUIRED', '/udiDi'],
  ])('refuses the recall %j with %s at %s', (change, code, path) => {
    expect(pointers(parseRecallInput({ ...recall, ...change }))).toContainEqual([code, path]);
  });

  it('checks the suspended-implants filter', () => {
    expect(parseSuspendedFilter({ udiDi: '08712345000011', from: '2021-01-01' })).toEqual({ ok: true, filter: { udiDi: ['08712345000011'], from: '2021-01-01' } });
    expect(pointers(parseSuspendedFilter({ from: '2022-01-01', to: '2021-01-01' }))).toEqual([['DATE_ORDER', '/from']]);
    expect(pointers(parseSuspendedFilter({ to: '2021-02-30', x: 1 }))).toEqual([
      ['UNKNOWN_FIELD', '/x'],
      ['INVALID_DATE', '/to'],
    ]);
  });
});
