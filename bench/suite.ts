// The benchmark suite (`npm run bench`, through scripts/bench.sh): national synthetic data from
// `lir simulate`, then on each database
//   copy     (a) a raw COPY of the rows into `records`: the reference for this machine
//   import   (b) `lir import records.csv` through the intake pipeline
//   fhir     (c) FHIR Bundles over HTTP with concurrent clients, once per --fhir-bundle-size
//   queries  (d) affected-population queries, p50/p95/p99
// and (e) the peak resident memory (VmHWM) of every step's processes. Each step runs in its own
// process and fresh database; a failing step records its error and the suite goes on.
//
//   npx tsx bench/suite.ts [--records 1000000] [--db pglite|postgres|both] [--steps copy,import,fhir,queries,stats]
//                          [--data DIR] [--concurrency 6] [--chunk 200] [--fhir-mode single|bulk] [--fhir-limit N]
//                          [--fhir-bundle-size 1,100] [--runs 200] [--keep]
// --fhir-bundle-size: records per Bundle, a list; step (c) runs once per size (default 1 — what an
// EHR sends for one procedure — and 100 — a bulk export), each on data generated with
// `lir simulate --bundle-size B` in a directory whose name ends in -bundle<B>.
// --fhir-mode single (default) posts each Bundle to POST /fhir/R4; bulk posts chunks of --chunk
// Bundles to POST /fhir/R4/$deliver-bundles.
// --fhir-limit N sends Bundles until N records have been sent in step (c) (records, not Bundles).
// PostgreSQL: DATABASE_URL names a server on which the suite creates (and drops) its databases.
// The generated data is kept per size and seed in the system's temporary directory (or --data DIR)
// and reused by later runs. Results: bench/results/suite-<db>-<N>.json, or suite-<db>-<N>-<tag>.json
// with --tag, or when neither copy nor import runs (tag: the steps, e.g. -fhir).

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
const fhirSizes = [...new Set(a.get('fhir-bundle-size', '1,100')!.split(',').map((v) => Number(v.trim())))];
if (fhirSizes.some((b) => !Number.isInteger(b) || b < 1 || b > 10_000)) throw new Error('--fhir-bundle-size takes whole numbers from 1 to 10000, e.g. 1,100');
/** the CSV and the 1-record Bundles; other bundle sizes in <dir>-bundle<B> (FHIR only) */
const dataDir = a.get('data') ?? join(tmpdir(), `lir-bench-sim-v${(await import('../src/sim/national/index.js')).GENERATOR_VERSION}-${N}-seed${seed}-bundle1`); // the generator version: a new generator does not reuse old data
const fhirDir = (b: number) => (b === 1 ? dataDir : `${dataDir.replace(/-bundle1$/, '')}-bundle${b}`);
const adminUrl = process.env.DATABASE_URL;
const keep = a.has('keep');
/** result file suffix: --tag, or the steps' names when neither copy nor import runs (so a FHIR-only run keeps the full suite's file) */
const tag = a.get('tag') ?? (steps.has('copy') || steps.has('import') ? undefined : [...steps].join('-'));

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

// ---------- generation, once per size (and bundle size) ----------
async function generate(bundleSize = 1): Promise<StepResult> {
  const dir = fhirDir(bundleSize);
  const manifest = join(dir, 'manifest.json');
  // the FHIR Bundles only when the FHIR step runs (10 million of them take 22 GiB)
  const withFhir = bundleSize !== 1 || steps.has('fhir');
  const files = bundleSize === 1 ? ['records.csv', ...(withFhir ? ['bundles.ndjson'] : [])] : ['bundles.ndjson'];
  if (existsSync(manifest) && files.every((f) => existsSync(join(dir, f)))) {
    log(`reusing the generated data in ${dir}`);
    return { ok: true, reused: true, dir, bundleSize, manifest: JSON.parse(readFileSync(manifest, 'utf8')) as unknown };
  }
  log(`generating ${N.toLocaleString('en')} records (seed ${seed}, ${bundleSize} per Bundle) into ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  const format = bundleSize === 1 ? ['--format', withFhir ? 'csv,fhir' : 'csv'] : ['--format', 'fhir', '--bundle-size', String(bundleSize)];
  const run = await runMeasured(NODE_TSX[0]!, [...NODE_TSX.slice(1), 'bin/lir.js', 'simulate', '--records', String(N), '--seed', String(seed), '--out', dir, ...format]);
  if (run.code !== 0) return { ok: false, error: `lir simulate exited with ${run.code ?? run.signal}: ${run.stderrTail.slice(-1500)}`, wallSeconds: round(run.seconds), peakRssMiB: run.peakRssMiB };
  const sizes = Object.fromEntries(files.map((f) => [f, mib(statSize(join(dir, f)))]));
  return {
    ok: true, reused: false, dir, bundleSize, wallSeconds: round(run.seconds), recordsPerSecond: Math.round(N / run.seconds), peakRssMiB: run.peakRssMiB,
    fileMiB: sizes, manifest: existsSync(manifest) ? summariseManifest(JSON.parse(readFileSync(manifest, 'utf8'))) : undefined,
  };
}

/** The generator's manifest without its long lists (every invalid row): the result files stay small. */
function summariseManifest(manifest: unknown): unknown {
  if (Array.isArray(manifest)) return manifest.length > 50 ? { omitted: `list of ${manifest.length} entries; see the manifest.json the generator writes` } : manifest;
  if (manifest && typeof manifest === 'object') return Object.fromEntries(Object.entries(manifest).map(([k, v]) => [k, summariseManifest(v)]));
  return manifest;
}

function statSize(p: string): number {
  try {
    return Number(execFileSync('stat', ['-c', '%s', p]).toString().trim());
  } catch {
    return 0;
  }
}

// ---------- one step in its own process ----------
async function step(name: string, script: string, target: DbTarget, extra: string[] = [], dir = dataDir): Promise<StepResult> {
  log(`${name} (${target.kind})`);
  const resultFile = join(tmpdir(), `lir-bench-step-${process.pid}-${name}.json`);
  rmSync(resultFile, { force: true });
  const run: Measured = await runMeasured(NODE_TSX[0]!, [...NODE_TSX.slice(1), script, '--target', encodeTarget(target), '--dir', dir, '--result', resultFile, ...extra]);
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
const fhirGeneration: Record<string, StepResult> = {};
if (steps.has('fhir')) for (const b of fhirSizes) if (b !== 1) fhirGeneration[`bundle${b}`] = await generate(b);
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
      const extra = ['--concurrency', String(a.num('concurrency', 6)), '--chunk', String(a.num('chunk', 200)), '--mode', a.get('fhir-mode', 'single')!, '--limit', String(a.num('fhir-limit', 0))];
      // step key: `fhir` for 1 record per Bundle (as before), `fhir-bundle<B>` for B records per Bundle
      for (const b of fhirSizes) {
        const name = b === 1 ? 'fhir' : `fhir-bundle${b}`;
        const gen = b === 1 ? generation : fhirGeneration[`bundle${b}`]!;
        if (!gen.ok) {
          results[name] = { ok: false, error: `no generated data for ${b} records per Bundle (see fhirGeneration)` };
          continue;
        }
        const r = await withTarget(kind, name.replace('-', '_'), (t) => step(name, 'bench/steps/fhir-http.ts', t, extra, fhirDir(b)), failed);
        results[name] = { bundleSize: b, dataDir: fhirDir(b), ...r.value };
        if (r.target) toDrop.push(r.target);
        // a failing run of one size does not stop the next; the databases are dropped at the end
      }
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
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    generation, ...(Object.keys(fhirGeneration).length > 0 ? { fhirGeneration } : {}), steps: results,
    ratiosToCopy: { import: ratio(results.import), fhir: ratio(results.fhir), ...Object.fromEntries(fhirSizes.filter((b) => b !== 1).map((b) => [`fhir-bundle${b}`, ratio(results[`fhir-bundle${b}`])])) },
    targets: {
      'csv import ≥ 0.5 × COPY': ratio(results.import) === null ? null : ratio(results.import)! >= 0.5,
      'FHIR ≥ 20,000 records/s (PostgreSQL, 2 cores)': results.fhir?.ok ? Number(results.fhir.recordsPerSecond) >= 20_000 : null,
      ...Object.fromEntries(fhirSizes.filter((b) => b !== 1).map((b) => [`FHIR ≥ 20,000 records/s with ${b} records per Bundle`, results[`fhir-bundle${b}`]?.ok ? Number(results[`fhir-bundle${b}`]!.recordsPerSecond) >= 20_000 : null])),
      'import peak RSS < 1 GiB': results.import?.ok ? Number(results.import.peakRssMiB) < 1024 : null,
    },
    ...(stats ? { stats } : {}),
  };
  const file = `bench/results/suite-${kind}-${N}${tag ? `-${tag}` : ''}.json`;
  writeJson(file, out);
  written.push(file);
  if (!keep) for (const t of toDrop) await dropTarget(t).catch(() => undefined);
  else log(`kept databases: ${toDrop.map((t) => (t.kind === 'pglite' ? t.dataDir : t.name)).join(', ')}`);
}

log(`wrote ${written.join(', ')}`);
for (const f of written) {
  const r = JSON.parse(readFileSync(f, 'utf8')) as { database: string; steps: Record<string, StepResult>; ratiosToCopy: Record<string, number | null> };
  const line = (name: string, s?: StepResult) => (s ? (s.ok ? `${name} ${Number(s.recordsPerSecond ?? 0).toLocaleString('en')} rec/s, peak ${s.peakRssMiB} MiB` : `${name} FAILED: ${String(s.error).slice(0, 200)}`) : '');
  process.stderr.write(`${r.database}: ${['copy', 'import', ...Object.keys(r.steps).filter((k) => k.startsWith('fhir'))].map((n) => line(n, r.steps[n])).filter(Boolean).join('; ')}; ratios ${JSON.stringify(r.ratiosToCopy)}\n`);
}
