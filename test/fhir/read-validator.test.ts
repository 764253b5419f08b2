// The conformance helper itself: a valid resource passes, an invalid one fails with every issue.

import { describe, expect, it } from 'vitest';
import { FhirValidationError, validateFhir } from '../helpers/fhir-validate.js';

describe('validateFhir (official R4 StructureDefinitions, offline)', () => {
  it('accepts a valid resource', () => {
    expect(() =>
      validateFhir({
        resourceType: 'Device',
        id: 'a1b2-c3.d4',
        meta: { versionId: '2', lastUpdated: '2026-06-15T10:00:00.000Z' },
        status: 'active',
        udiCarrier: [{ deviceIdentifier: '08712345000011', issuer: 'https://www.gs1.org/gtin', carrierHRF: '(01)08712345000011(10)LOT-1', entryType: 'barcode' }],
        lotNumber: 'LOT-1',
        type: { coding: [{ system: 'https://fhir.implantatenregister.nl/CodeSystem/implant-type', code: '13.01', display: 'Koperspiraal' }] },
      }),
    ).not.toThrow();
  });

  it('rejects an invalid resource and lists every issue with its path', () => {
    let error: unknown;
    try {
      validateFhir({
        resourceType: 'DeviceUseStatement',
        id: 'not an id',
        status: 'removed', // not in the required value set device-statement-status
        timingPeriod: { start: '2026-13-01' },
        device: { reference: 'Device/1' },
        bodySite: { colour: 'red' },
        extension: [{ url: 'https://example.org/x' }], // ext-1: value or extensions
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FhirValidationError);
    const issues = (error as FhirValidationError).issues;
    const paths = issues.flatMap((i) => i.expression ?? []);
    expect(paths).toEqual(
      expect.arrayContaining([
        'DeviceUseStatement.id',
        'DeviceUseStatement.status',
        'DeviceUseStatement.timing[x].start',
        'DeviceUseStatement.subject',
        'DeviceUseStatement.bodySite.colour',
        'DeviceUseStatement.extension[0]',
      ]),
    );
    expect((error as Error).message).toMatch(/DeviceUseStatement\/not an id is not valid FHIR R4/);
  });

  it('checks resources inside a Bundle and refuses something that is no resource', () => {
    expect(() =>
      validateFhir({ resourceType: 'Bundle', type: 'searchset', entry: [{ fullUrl: 'https://x/fhir/R4/Patient/p1', resource: { resourceType: 'Patient', id: 'p1', birthDate: 'yesterday' } }] }),
    ).toThrow(/Bundle\.entry\[0\]\.resource\.birthDate/);
    expect(() => validateFhir({ id: 'x' })).toThrow(/no resourceType/);
    expect(() => validateFhir({ resourceType: 'NoSuchThing' })).toThrow(FhirValidationError);
  });
});
