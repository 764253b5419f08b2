import { afterEach, describe, expect, it} from 'vitest';
import { captureOutput } from '../helpers/capture-output.js';
import { udiCommand } from '../../src/cli/commands/udi.js';

const run = (...args: string[]) => captureOutput(() => udiCommand().parseAsync(['parse', ...args], { from: 'user' }));

afterEach(() => {
  process.exitCode = undefined;
});

describe('lir udi parse', () => {
  it('prints human-readable lines', async () => {
    const r = await run('(01)08023279277098(17)221231(10)1234AB(21)12345XYZ(11)010101');
    expect(r.exitCode).toBeUndefined();
    expect(r.out).toContain('UDI-DI:           08023279277098');
    expect(r.out).toContain('expiry date:      2022-12-31');
    expect(r.err).toBe('');
  });

  it('prints JSON with --json', async () => {
    const r = await run('+A99912345/$$52001510X3/16D20111212/S77DEFG457', '--json');
    expect(r.exitCode).toBeUndefined();
    expect(JSON.parse(r.out)).toMatchObject({ issuer: 'HIBCC', udiDi: 'A99912345', lot: '10X3', serial: '77DEFG45' });
  });

  it('combines several strings into one device', async () => {
    const r = await run('+A123BJC5D6E71G', '+$$52001510X3GD', '--json');
    expect(JSON.parse(r.out)).toMatchObject({ udiDi: 'A123BJC5D6E71', lot: '10X3', partial: false });
  });

  it('prints the error as JSON on stdout with --json and sets exit code 1', async () => {
    const r = await run('(01)08023279277099', '--json');
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.out)).toEqual({
      error: { code: 'GS1_CHECK_DIGIT', message: expect.any(String) as string, position: 17 },
    });
  });

  it('prints a readable error on stderr without --json', async () => {
    const r = await run('(01)08023279277098', '(01)09506000134352');
    expect(r.exitCode).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^udi parse: UDI_CONFLICT at position 0: /);
  });

  it('accepts scanner separators and typed HIBC strings', async () => {
    const sep = await run('0108023279277098101234AB|2112345XYZ', '--separator', '|', '--json');
    expect(JSON.parse(sep.out)).toMatchObject({ lot: '1234AB', serial: '12345XYZ' });
    const typed = await run('+H123PARTNO1234567890120/$$420020216LOT123456789012345/SXYZ456789012345678/16D20130202C', '--typed', '--json');
    expect(typed.exitCode).toBeUndefined();
  });
});
