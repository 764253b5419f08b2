// The benchmark suite (`npm run bench`, through scripts/bench.sh): national synthetic data from
// `lir simulate`, then on each database
//   copy     (a) a raw COPY of the rows into `records`: the reference for this machine
//   import   (b) `lir import records.csv` through the intake pipeline
//   fhir     (c) FHIR transaction Bundles over HTTP with concurrent clients
//   queries  (d) affected-population queries, p50/p95/p99
// and (e) the peak resident memory (VmHWM) of every step's processes. Each step runs in its own
// process and fresh database; a failing step records its error and the suite goes on.
//
//   npx tsx bench/suite.ts [--records 1000000] [--db pglite|postgres|both] [--steps copy,import,fhir,queries,stats]
//                          [--data DIR] [--concurrency 6] [--chunk 200] [--fhir-mode bulk|single] [--fhir-limit N]
//                          [--runs 200] [--keep]
// --fhir-limit N sends only the first N Bundles in step (c) (its rate is per record sent).
// PostgreSQL: DATABASE_URL names a server on which the suite creates (and drops) its databases.
// The generated data is kept per size and seed in the system's temporary directory (or --data DIR)
// and reused by later runs. Results: bench/results/suite-<db>-<N>.json.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { argv, dropTarget, encodeTarget, freshTarget, mib, NODE_TSX, runMeasured, writeJson, type DbKind, type DbTarget, type Measured } from './steps/common.js';

const a = argv();
const N = a.num('records', 1_000_000);
const seed = a.num('seed', 1);
const dbArg = a.get('db', 'both')!;
const kinds: DbKind[] = dbArg === 'both' ? ['pglite', 'postgres'] : [dbArg as DbKind];
if (!kinds.every((k) => k === 'pglite' || k === 'postgres')) throw new Error(`--db takes pglite, postgres or both, not ${dbArg}`);
const steps = new Set(a.get('steps', 'copy,import,fhir,queries,stats')!.split(',').map((s) => s.trim()));
const dataDir = a.get('data') ?? join(tmpdir(), `lir-bench-sim-${N}-seed${seed}`);
const adminUrl = process.env.DATABASE_URL;
const keep = a.has('keep');

const log = (s: string) => process.stderr.write(`\n== ${s}\n`);
const round = (x: number, d = 2) => +x.toFixed(d);

interface StepResult {
  ok: boolean;
  error?: string;
  wallSeconds?: number;
  /** VmHWM of what the step measures: `lir import` (b), `lir serve` (c), the step's own process (a, d) */
  peakRssMiB?: number | null;
  /** highest VmHWM of any process of the step (the step script included) */
  treePeakRssMiB?: number | null;
  peakRssByProcess?: Record<string, number>;
  [k: string]: unknown;
}

function machine() {
  return { host: hostname(), cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, postgres: undefined as string | undefined };
}

// ---------- generation, once per size ----------
async function generate(): Promise<StepResult> {
  const manifest = join(dataDir, 'manifest.json');
  if (existsSync(manifest) && existsSync(join(dataDir, 'records.csv')) && existsSync(join(dataDir, 'bundles.ndjson'))) {
    log(`reusing the generated data in ${dataDir}`);
    return { ok: true, reused: true, dir: dataDir, manifest: JSON.parse(readFileSync(manifest, 'utf8')) as unknown };
  }
  log(`generating ${N.toLocaleString('en')} records (seed ${seed}) into ${dataDir}`);
  rmSync(dataDir, { recursive: true, force: true });
  const run = await runMeasured(NODE_TSX[0]!, [...NODE_TSX.slice(1), 'bin/lir.js', 'simulate', '--records', String(N), '--seed', String(seed), '--out', dataDir, '--format', 'csv,fhir']);
  if (run.code !== 0) return { ok: false, error: `lir simulate exited with ${run.code ?? run.signal}: ${run.stderrTail.slice(-1500)}`, wallSeconds: round(run.seconds), peakRssMiB: run.peakRssMiB };
  const sizes = Object.fromEntries(['records.csv', 'bundles.ndjson'].map((f) => [f, mib(statSize(join(dataDir, f)))]));
  return {
    ok: true, reused: false, dir: dataDir, wallSeconds: round(run.seconds), recordsPerSecond: Math.round(N / run.seconds), peakRssMiB: run.peakRssMiB,
    fileMiB: sizes, manifest: existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as unknown) : undefined,
  };
}

function statSize(p: string): number {
  try {
    return Number(execFileSync('stat', ['-c', '%s', p]).toString().trim());
  } catch {
    return 0;
  }
}

// ---------- one step in its own process ----------
async function step(name: string, script: string, target: DbTarget, extra: string[] = []): Promise<StepResult> {
  log(`${name} (${target.kind})`);
  const resultFile = join(tmpdir(), `lir-bench-step-${process.pid}-${name}.json`);
  rmSync(resultFile, { force: true });
  const run: Measured = await runMeasured(NODE_TSX[0]!, [...NODE_TSX.slice(1), script, '--target', encodeTarget(target), '--dir', dataDir, '--result', resultFile, ...extra]);
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  rmSync(resultFile, { force: true });
  // the process the step measures: lir import (b), lir serve (c), the step itself (a, d)
  const subject = body?.peakRssMiB ?? body?.serverPeakRssMiB ?? body?.stepPeakRssMiB ?? run.peakRssMiB;
  const common = { wallSeconds: round(run.seconds), peakRssMiB: subject as number | null, treePeakRssMiB: run.peakRssMiB, peakRssByProcess: run.peakByProcess };
  if (run.code !== 0 || !body || body.error) {
    return { ok: false, error: String(body?.error ?? `exited with ${run.code ?? run.signal}: ${run.stderrTail.slice(-1500)}`), ...body, ...common };
  }
  return { ok: true, ...body, ...common };
}

async function withTarget<T>(kind: DbKind, label: string, f: (t: DbTarget) => Promise<T>, onError: (e: unknown) => T): Promise<{ value: T; target?: DbTarget }> {
  let target: DbTarget | undefined;
  try {
    target = await freshTarget(kind, label, adminUrl);
    return { value: await f(target), target };
  } catch (e) {
    return { value: onError(e), ...(target ? { target } : {}) };
  }
}

const failed = (e: unknown): StepResult => ({ ok: false, error: e instanceof Error ? e.message : String(e) });

// ---------- main ----------
const m = machine();
if (adminUrl && kinds.includes('postgres')) {
  try {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    m.postgres = ((await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v);
    await c.end();
  } catch {
    // reported by the steps
  }
}
const generation = await generate();
const written: string[] = [];
let stats: StepResult | undefined;
if (steps.has('stats')) {
  log('npm run bench:stats');
  const run = await runMeasured('npm', ['run', '--silent', 'bench:stats']);
  stats = { ok: run.code === 0, wallSeconds: round(run.seconds), peakRssMiB: run.peakRssMiB, ...(run.code === 0 ? {} : { error: run.stderrTail.slice(-1000) }), results: 'bench/results/kaplan-meier.json, bench/results/cusum.json' };
}

for (const kind of kinds) {
  const results: Record<string, StepResult> = {};
  const toDrop: DbTarget[] = [];
  let queryTarget: DbTarget | undefined;
  if (!generation.ok) {
    for (const s of ['copy', 'import', 'fhir', 'queries']) if (steps.has(s)) results[s] = { ok: false, error: 'no generated data (see generation)' };
  } else {
    if (steps.has('copy')) {
      const r = await withTarget(kind, 'copy', (t) => step('copy', 'bench/steps/copy-load.ts', t), failed);
      results.copy = r.value;
      if (r.target) toDrop.push(r.target);
      if (r.value.ok && r.target) queryTarget = r.target;
    }
    if (steps.has('import')) {
      const r = await withTarget(kind, 'import', (t) => step('import', 'bench/steps/import-csv.ts', t, a.get('chunk-size') ? ['--chunk-size', a.get('chunk-size')!] : []), failed);
      results.import = r.value;
      if (r.target) toDrop.push(r.target);
      // the queries run on what the intake pipeline stored, when it did
      if (r.value.ok && r.target) queryTarget = r.target;
    }
    if (steps.has('fhir')) {
      const extra = ['--concurrency', String(a.num('concurrency', 6)), '--chunk', String(a.num('chunk', 200)), '--mode', a.get('fhir-mode', 'bulk')!, '--limit', String(a.num('fhir-limit', 0))];
      const r = await withTarget(kind, 'fhir', (t) => step('fhir', 'bench/steps/fhir-http.ts', t, extra), failed);
      results.fhir = r.value;
      if (r.target) toDrop.push(r.target);
    }
    if (steps.has('queries')) {
      if (!queryTarget) results.queries = { ok: false, error: 'no loaded database: the copy and import steps did not run or failed' };
      else {
        results.queries = await step('queries', 'bench/steps/queries.ts', queryTarget, ['--runs', String(a.num('runs', 200))]).catch(failed);
        results.queries.database = results.import?.ok ? 'the database lir import filled' : 'the database of the raw COPY';
      }
    }
  }
  const copyRate = Number(results.copy?.recordsPerSecond);
  const ratio = (r?: StepResult) => (r?.ok && copyRate > 0 ? round(Number(r.recordsPerSecond) / copyRate, 3) : null);
  const out = {
    benchmark: 'suite', database: kind, records: N, seed, date: new Date().toISOString(), machine: { ...m, postgres: kind === 'postgres' ? m.postgres : undefined },
    command: `npm run bench -- --records ${N} --db ${kind}`,
    generation, steps: results,
    ratiosToCopy: { import: ratio(results.import), fhir: ratio(results.fhir) },
    targets: {
      'csv import ≥ 0.5 × COPY': ratio(results.import) === null ? null : ratio(results.import)! >= 0.5,
      'FHIR ≥ 20,000 records/s (PostgreSQL, 2 cores)': results.fhir?.ok ? Number(results.fhir.recordsPerSecond) >= 20_000 : null,
      'import peak RSS < 1 GiB': results.import?.ok ? Number(results.import.peakRssMiB) < 1024 : null,
    },
    ...(stats ? { stats } : {}),
  };
  const file = `bench/results/suite-${kind}-${N}.json`;
  writeJson(file, out);
  written.push(file);
  if (!keep) for (const t of toDrop) await dropTarget(t).catch(() => undefined);
  else log(`kept databases: ${toDrop.map((t) => (t.kind === 'pglite' ? t.dataDir : t.name)).join(', ')}`);
}

log(`wrote ${written.join(', ')}`);
for (const f of written) {
  const r = JSON.parse(readFileSync(f, 'utf8')) as { database: string; steps: Record<string, StepResult>; ratiosToCopy: Record<string, number | null> };
  const line = (name: string, s?: StepResult) => (s ? (s.ok ? `${name} ${Number(s.recordsPerSecond ?? 0).toLocaleString('en')} rec/s, peak ${s.peakRssMiB} MiB` : `${name} FAILED: ${String(s.error).slice(0, 200)}`) : '');
  process.stderr.write(`${r.database}: ${['copy', 'import', 'fhir'].map((n) => line(n, r.steps[n])).filter(Boolean).join('; ')}; ratios ${JSON.stringify(r.ratiosToCopy)}\n`);
}
