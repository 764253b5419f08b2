// `lir import` killed with SIGKILL in the middle of a file, then run again: every chunk is one
// transaction, so the kill leaves whole chunks only, and the second run completes the file with
// no duplicates. Runs the real command (bin/lir.js) as a child process, on embedded PGlite
// (LIR_DATA_DIR) and, when LIR_TEST_PG_URL is set, on PostgreSQL (DATABASE_URL).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PgliteDb } from '../../src/db/pglite-db.js';
import { PostgresDb } from '../../src/db/postgres-db.js';
import type { Db } from '../../src/db/types.js';
import { servicesFor } from '../../src/register/services.js';
import { upsertDevices, upsertProvider } from '../../src/catalogue/reference-data.js';
import { createDatabase } from '../helpers/databases.js';

const ROWS = 30_000;
const CHUNK = 500;
const KVK = '41215422';
const COPPER_IUD = '08717648200274';
const BIN = fileURLToPath(new URL('../../bin/lir.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

interface Target {
  name: 'pglite' | 'postgres';
  /** Environment for the child process. */
  env(): NodeJS.ProcessEnv;
  open(): Promise<Db>;
}

/** Valid implantations dated within the last 20 days (so neither future nor late), one patient each. */
async function writeCsv(file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('provider_kvk,provider_record_ref,patient_pseudonym,udi_di,lot,implant_date,professional_role,weeks_postpartum\r\n');
  const today = Date.now();
  for (let i = 1; i <= ROWS; i++) {
    const date = new Date(today - (i % 20) * 86_400_000).toISOString().slice(0, 10);
    const line = `${KVK},CRASH-${String(i).padStart(6, '0')},ttp1:Crash${String(i).padStart(11, '0')},${COPPER_IUD},"LOT-${i % 50}",${date},gynaecologist,${i % 30}\r\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Rows done according to the progress line that triggered the kill. */
  killedAt?: number;
}

/** Runs `lir import`; with `killAfterProgress`, SIGKILLs it as soon as a progress line shows rows done. */
async function lirImport(file: string, env: NodeJS.ProcessEnv, killAfterProgress: boolean, extra: string[] = []): Promise<Run> {
  const child = spawn(process.execPath, [BIN, 'import', file, '--chunk-size', String(CHUNK), ...extra], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { code: null, signal: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (s: string) => (run.stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    run.stderr += s;
    if (!killAfterProgress || run.killedAt !== undefined) return;
    const done = [...run.stderr.matchAll(/([\d,]+) rows/g)].map((m) => Number(m[1]!.replace(/,/g, ''))).find((n) => n > 0);
    if (done !== undefined) {
      run.killedAt = done;
      child.kill('SIGKILL');
    }
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  run.code = code;
  run.signal = signal;
  return run;
}

async function counts(db: Db) {
  const n = async (sql: string) => (await db.query<{ n: number }>(sql))[0]!.n;
  return {
    records: await n('SELECT count(*)::int AS n FROM records'),
    versions: await n('SELECT count(*)::int AS n FROM record_versions'),
    refs: await n('SELECT count(*)::int AS n FROM record_refs'),
    duplicates: await n('SELECT count(*)::int AS n FROM (SELECT 1 FROM records GROUP BY provider_id, provider_record_ref HAVING count(*) > 1) d'),
  };
}

const pgUrl = process.env.LIR_TEST_PG_URL;
let dir: string;

const TARGETS: Target[] = [
  {
    name: 'pglite',
    env: () => {
      const env: NodeJS.ProcessEnv = { ...process.env, LIR_DATA_DIR: join(dir, 'pglite') };
      delete env.DATABASE_URL;
      return env;
    },
    open: () => PgliteDb.open(join(dir, 'pglite')),
  },
];
if (pgUrl) {
  let url: string | undefined;
  TARGETS.push({
    name: 'postgres',
    env: () => ({ ...process.env, DATABASE_URL: url! }),
    open: async () => PostgresDb.open((url ??= await createDatabase(pgUrl))),
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lir-crash-'));
  await writeCsv(join(dir, 'records.csv'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const target of TARGETS) {
  describe(`lir import killed with SIGKILL on ${target.name}`, () => {
    it(`leaves whole chunks only, and a second run completes ${ROWS} rows without duplicates`, async () => {
      // the register needs the provider (and the device, so rows carry no warnings) first
      const setup = await target.open();
      await servicesFor(setup);
      await upsertProvider(setup, { kvk: KVK, agb: null, name: 'Ziekenhuis Rivierenland', type: 'hospital', region: 'Gelderland' });
      await upsertDevices(setup, [{ udiDi: COPPER_IUD, issuer: 'GS1', manufacturer: 'Cuprum Medical', productName: 'Cu 375 Standard', model: 'CU375', implantType: '13.01' }]);
      await setup.close();
      const file = join(dir, 'records.csv');

      const killed = await lirImport(file, target.env(), true);
      expect(killed.killedAt, `no progress line before the import ended:\n${killed.stderr}`).toBeGreaterThan(0);
      expect(killed.signal).toBe('SIGKILL');

      const afterKill = await (async () => {
        const db = await target.open(); // PGlite: recovers its data directory after the kill
        try {
          return await counts(db);
        } finally {
          await db.close();
        }
      })();
      expect(afterKill.records).toBeGreaterThan(0);
      expect(afterKill.records).toBeLessThan(ROWS);
      expect(afterKill.records % CHUNK).toBe(0); // whole chunks only
      expect(afterKill).toEqual({ records: afterKill.records, versions: afterKill.records, refs: afterKill.records, duplicates: 0 });

      const rerun = await lirImport(file, target.env(), false, ['--json']);
      expect(rerun.code, rerun.stderr).toBe(0);
      const summary = JSON.parse(rerun.stdout) as { rows: number; created: number; unchanged: number; rejected: number; warnings: number; seconds: number };
      expect(summary).toMatchObject({ rows: ROWS, created: ROWS - afterKill.records, unchanged: afterKill.records, rejected: 0, warnings: 0 });
      console.info(`${target.name}: killed after ${killed.killedAt} rows reported (${afterKill.records} stored); re-run: ${ROWS} rows in ${summary.seconds} s, ${Math.round(ROWS / summary.seconds)} rows/s`);

      const db = await target.open();
      try {
        expect(await counts(db)).toEqual({ records: ROWS, versions: ROWS, refs: ROWS, duplicates: 0 });
      } finally {
        await db.close();
      }
    }, 600_000);
  });
}
