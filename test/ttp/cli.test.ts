// `lir ttp rotate-key` and `lir ttp rekey-map` as a user runs them (a child process), and the TTP's
// boundary: no module under src/privacy/ttp reaches the register (src/register).

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TtpKeyStore } from '../../src/privacy/ttp/keys.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const LIR = join(ROOT, 'bin/lir.js');

describe('lir ttp', () => {
  let dir: string;
  const lir = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await run('node', [LIR, ...args], { env: { ...process.env, LIR_TTP_KEY_FILE: join(dir, 'ttp-key.json'), LIR_DATA_DIR: join(dir, 'data') }, timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lir-ttp-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rekey-map needs a previous version; rotate-key adds one; the map pairs old → new with no BSN', async () => {
    const bsnFile = join(dir, 'bsns.txt');
    writeFileSync(bsnFile, '111222333\n12345672\nnot-a-bsn\n\n999911120\n111222333\n');
    const out = join(dir, 'map.csv');
    const store = new TtpKeyStore(join(dir, 'ttp-key.json'));
    const v1 = store.get().pseudonym('111222333');
    const early = await lir('ttp', 'rekey-map', bsnFile, out);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/rotate-key/);

    const rot = await lir('ttp', 'rotate-key');
    expect(rot.code, rot.stderr).toBe(0);
    expect(rot.stdout).toMatch(/v2 is current \(was v1\)/);
    expect(rot.stdout + rot.stderr).not.toContain(JSON.parse(readFileSync(join(dir, 'ttp-key.json'), 'utf8')).keys.v2);

    const r = await lir('ttp', 'rekey-map', bsnFile, out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 lines are not valid BSNs.*lines 3/);
    expect(r.stderr).not.toContain('not-a-bsn');
    const csv = readFileSync(out, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('old,new');
    expect(csv).toHaveLength(4); // three distinct BSNs
    expect(csv[1]).toBe(`${v1},${store.get().pseudonym('111222333')}`);
    expect(csv.slice(1).every((l) => /^ttpv1:[\w-]+,ttpv2:[\w-]+$/.test(l))).toBe(true);
    expect(readFileSync(out, 'utf8')).not.toMatch(/111222333|12345672|999911120/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });
});

describe('the TTP boundary', () => {
  it('no module of src/privacy/ttp imports the register (src/register), directly or through others', () => {
    const seen = new Set<string>();
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) walk(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
    };
    for (const f of ['routes.ts', 'standalone.ts', 'service.ts', 'keys.ts', 'audit.ts']) walk(join(ROOT, 'src/privacy/ttp', f));
    const files = [...seen].map((f) => f.slice(ROOT.length + 1));
    expect(files).toContain('src/privacy/ttp/routes.ts');
    expect(files.filter((f) => f.startsWith('src/register/') || f.startsWith('src/catalogue/'))).toEqual([]);
  });
});
