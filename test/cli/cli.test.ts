// The `lir` command as a user runs it: a real child process on a real embedded database.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const LIR = join(import.meta.dirname, '../../bin/lir.js');

describe('lir command', () => {
  let dir: string;
  const lir = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run('node', [LIR, ...args], { env: { ...process.env, LIR_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' }, timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lir-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists its commands', async () => {
    const r = await lir('--help');
    expect(r.code).toBe(0);
    for (const c of ['serve', 'migrate', 'import', 'query', 'catalogue', 'providers', 'tokens', 'udi']) expect(r.stdout).toContain(c);
  });

  it('migrates, registers a provider and refuses a bad KvK with a message and exit 1', async () => {
    expect((await lir('migrate')).stdout).toMatch(/applied 0001_register|up to date/);
    expect((await lir('migrate')).stdout).toMatch(/up to date/);
    const ok = await lir('providers', 'add', '--kvk', '12345678', '--name', 'Ziekenhuis CLI', '--type', 'hospital', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).provider).toMatchObject({ kvk: '12345678', type: 'hospital' });
    const bad = await lir('providers', 'add', '--kvk', '1234', '--name', 'X', '--type', 'hospital');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/kvk: kvk must be exactly 8 digits/);
  });

  it('loads a catalogue, imports records and answers who carries the device', async () => {
    writeFileSync(
      join(dir, 'devices.csv'),
      'udi_di,issuer,manufacturer,product_name,model,implant_type\n08712345000011,GS1,Cuprum Medical,CuFlex 380,CF380,13.01\n08712345000012,GS1,Bad Check,Bad,,13.01\n',
    );
    const cat = await lir('catalogue', 'import', join(dir, 'devices.csv'), '--json');
    expect(cat.code).toBe(1); // one row has a wrong check digit
    expect(JSON.parse(cat.stdout)).toMatchObject({ rows: 2, written: 1, problems: [{ line: 3, column: 'udi_di', code: 'GS1_CHECK_DIGIT' }] });

    writeFileSync(
      join(dir, 'records.csv'),
      [
        'provider_kvk,provider_record_ref,patient_pseudonym,udi_di,lot,implant_date,explant_date',
        '12345678,C-1,ttp1:AAAAAAAAAAAAAAAA01,08712345000011,L1,2025-01-10,',
        '12345678,C-2,ttp1:AAAAAAAAAAAAAAAA02,08712345000011,L1,2025-02-10,2025-08-01',
        '12345678,C-3,ttp1:AAAAAAAAAAAAAAAA01,08712345000011,L2,2025-03-10,',
      ].join('\n') + '\n',
    );
    const imp = await lir('import', join(dir, 'records.csv'), '--json');
    expect(imp.code).toBe(0);
    const q = await lir('query', 'affected', '--udi-di', '08712345000011', '--json');
    expect(JSON.parse(q.stdout)).toEqual({
      implants: 3,
      patients: 2,
      providers: [{ kvk: '12345678', name: 'Ziekenhuis CLI', implants: 3, patients: 2 }],
      byYear: [{ year: 2025, implants: 3, patients: 2 }],
    });
    const still = JSON.parse((await lir('query', 'affected', '--lot', 'L1', '--still-implanted', '--json')).stdout);
    expect(still).toMatchObject({ implants: 1, patients: 1 });
    const text = await lir('query', 'affected', '--lot', 'L1');
    expect(text.stdout).toMatch(/implants: 2\npatients: 2/);
    const badq = await lir('query', 'affected', '--from', '2025-02-30');
    expect(badq.code).toBe(1);
    expect(badq.stderr).toMatch(/implantedFrom: implantedFrom must be a date/);
  });

  it('creates tokens only for known providers', async () => {
    const r = await lir('tokens', 'create', '--role', 'provider', '--provider', '99999999');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no provider with KvK number 99999999/);
    const ok = await lir('tokens', 'create', '--role', 'inspector');
    expect(ok.stdout).toMatch(/lir_[A-Za-z0-9_-]{40,}/);
  });
});
