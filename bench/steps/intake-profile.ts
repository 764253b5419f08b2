// Statement profile of `lir import`: runs the file import in-process on a fresh database (providers
// and catalogue loaded first) with every database call timed, and prints, per window of chunks, the
// rows per second and the time and count of each statement (SQL text up to its first 90 characters).
// A statement whose time grows from window to window is the one that slows the import as the
// register grows.
//   node --import tsx bench/steps/intake-profile.ts --db pglite|postgres --dir DIR [--records N] [--window CHUNKS] [--chunk-size N] [--explain]
// PostgreSQL: a scratch database is created with DATABASE_URL (or LIR_TEST_PG_URL) as the admin URL.

import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Db, Queryable } from '../../src/db/types.js';
import { servicesFor } from '../../src/register/services.js';
import { importFile } from '../../src/register/file-import.js';
import { argv, dropTarget, freshTarget, loadReference, openTarget, type DbKind } from './common.js';

const a = argv();
const kind = a.need('db') as DbKind;
const dir = a.need('dir');
const limit = Number(a.get('records') ?? '0');
const window = Number(a.get('window') ?? '10');
const chunkSize = Number(a.get('chunk-size') ?? '2000');

interface Stat {
  n: number;
  ms: number;
}
let stats = new Map<string, Stat>();
const key = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 90);
function note(k: string, ms: number) {
  const s = stats.get(k) ?? { n: 0, ms: 0 };
  s.n++;
  s.ms += ms;
  stats.set(k, s);
}

function timed<Q extends Queryable>(q: Q): Q {
  return new Proxy(q, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'query') {
        return async (sql: string, params?: readonly unknown[]) => {
          const t0 = performance.now();
          try {
            return await (v as Queryable['query']).call(target, sql, params);
          } finally {
            note(key(sql), performance.now() - t0);
          }
        };
      }
      if (prop === 'copyFrom') {
        return async (table: string, cols: readonly string[], chunks: Iterable<string>) => {
          const t0 = performance.now();
          try {
            return await (v as Queryable['copyFrom']).call(target, table, cols, chunks);
          } finally {
            note(`COPY ${table}`, performance.now() - t0);
          }
        };
      }
      if (prop === 'transaction') {
        return (fn: (tx: Queryable) => Promise<unknown>) => (v as Db['transaction']).call(target, (tx) => fn(timed(tx)));
      }
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const target = await freshTarget(kind, 'profile', process.env.DATABASE_URL ?? process.env.LIR_TEST_PG_URL);
let file = join(dir, 'records.csv');
try {
  if (limit > 0) {
    file = join(tmpdir(), `lir-profile-${process.pid}.csv`);
    const out = createWriteStream(file);
    let n = -1;
    for await (const line of createInterface({ input: createReadStream(join(dir, 'records.csv')) })) {
      if (n++ >= limit) break;
      out.write(line + '\n');
    }
    await new Promise((r) => out.end(r));
  }
  const raw = await openTarget(target);
  await loadReference(raw, dir);
  const db = timed(raw);
  const services = await servicesFor(db);
  stats = new Map();
  let chunks = 0;
  let rows = 0;
  let t0 = performance.now();
  let windowRows = 0;
  const total = performance.now();
  const print = () => {
    const ms = performance.now() - t0;
    const sum = [...stats.values()].reduce((s, x) => s + x.ms, 0);
    process.stdout.write(`\n== chunks ${chunks - window + 1}-${chunks} (rows ${rows - windowRows + 1}-${rows}): ${Math.round((windowRows / ms) * 1000)} rows/s, ${(ms / window).toFixed(0)} ms/chunk, db ${(sum / window).toFixed(0)} ms/chunk\n`);
    for (const [k, s] of [...stats].sort((x, y) => y[1].ms - x[1].ms).slice(0, 14)) {
      process.stdout.write(`  ${(s.ms / window).toFixed(1).padStart(8)} ms/chunk ${String(s.n / window).padStart(6)}x  ${k}\n`);
    }
    stats = new Map();
    t0 = performance.now();
    windowRows = 0;
  };
  const summary = await importFile(services, file, {
    chunkSize,
    receiptPath: join(tmpdir(), `lir-profile-${process.pid}.receipt.csv`),
    onProgress: (p) => {
      if (p.rows === rows) return;
      windowRows += p.rows - rows;
      rows = p.rows;
      if (++chunks % window === 0) print();
    },
  });
  const secs = (performance.now() - total) / 1000;
  process.stdout.write(`\n${kind}: ${summary.rows} rows in ${secs.toFixed(1)} s = ${Math.round(summary.rows / secs)} rows/s (created ${summary.created}, updated ${summary.updated}, rejected ${summary.rejected}, warnings ${summary.warnings})\n`);
  if (a.has('explain')) {
    // the closure statements with 500 of the register's pseudonyms, before and after ANALYZE
    const pseudonyms = (await raw.query<{ p: string }>('SELECT DISTINCT patient_pseudonym AS p FROM records WHERE patient_pseudonym IS NOT NULL LIMIT 500')).map((r) => r.p);
    const ids = (await raw.query<{ id: string }>('SELECT id FROM records LIMIT 500')).map((r) => r.id);
    const plans: [string, unknown[]][] = [['SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1', []]];
    const captured: [string, unknown[]][] = [];
    const { refreshClosures } = await import('../../src/register/closures.js');
    await refreshClosures({ query: async (sql, params) => (captured.push([sql, [...(params ?? [])]]), []), copyFrom: async () => 0 }, pseudonyms, ids);
    plans.push(...captured);
    for (const analyzed of [false, true]) {
      if (analyzed) await raw.query('ANALYZE');
      for (const [sql, params] of plans) {
        process.stdout.write(`\nEXPLAIN ANALYZE (${analyzed ? 'after' : 'before'} ANALYZE) ${key(sql)}\n`);
        await raw.transaction(async (tx) => {
          for (const r of await tx.query<Record<string, string>>(`EXPLAIN ANALYZE ${sql}`, params)) process.stdout.write(`  ${Object.values(r)[0]}\n`);
          await tx.query('ROLLBACK'); await tx.query('BEGIN');
        });
      }
    }
  }
  await services.close();
} finally {
  if (limit > 0) rmSync(file, { force: true });
  rmSync(join(tmpdir(), `lir-profile-${process.pid}.receipt.csv`), { force: true });
  await dropTarget(target);
}
