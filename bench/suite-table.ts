// Prints the Markdown tables of docs/benchmarks.md from bench/results/suite-<db>-<N>.json.
//   npx tsx bench/suite-table.ts 100000

import { existsSync, readFileSync } from 'node:fs';

const N = process.argv[2] ?? '1000000';
type Step = { ok: boolean; error?: string; recordsPerSecond?: number; seconds?: number; rows?: number; records?: number; peakRssMiB?: number | null; [k: string]: unknown };
type Suite = { database: string; date: string; machine: Record<string, unknown>; generation: Step; steps: Record<string, Step>; ratiosToCopy: Record<string, number | null> };
const runs: Suite[] = ['postgres', 'pglite'].map((db) => `bench/results/suite-${db}-${N}.json`).filter(existsSync).map((f) => JSON.parse(readFileSync(f, 'utf8')) as Suite);
if (runs.length === 0) throw new Error(`no bench/results/suite-*-${N}.json`);

const n = (x: unknown) => (typeof x === 'number' ? x.toLocaleString('en') : '–');
const name: Record<string, string> = { postgres: 'PostgreSQL 15', pglite: 'PGlite' };
const cell = (s: Step | undefined, f: (s: Step) => string) => (!s ? 'not run' : s.ok ? f(s) : `failed: ${String(s.error).slice(0, 80)}`);

const out: string[] = [];
out.push(`| step | ${runs.map((r) => name[r.database]).join(' | ')} |`, `|---|${runs.map(() => '---:|').join('')}`);
const row = (label: string, f: (r: Suite) => string) => out.push(`| ${label} | ${runs.map(f).join(' | ')} |`);
row('(a) raw COPY into `records`: records/s', (r) => cell(r.steps.copy, (s) => `${n(s.recordsPerSecond)} (${n(s.rows)} rows in ${s.seconds} s)`));
row('(b) `lir import records.csv`: records/s', (r) => cell(r.steps.import, (s) => `${n(s.recordsPerSecond)} (${n(s.rows)} rows in ${s.seconds} s)`));
row('(b) ratio to (a) — target ≥ 0.5', (r) => (r.ratiosToCopy.import ?? '–').toString());
row('(c) FHIR, 1 record per Bundle: records/s', (r) => cell(r.steps.fhir, (s) => `${n(s.recordsPerSecond)} (${n(s.records)} records in ${s.seconds} s, ${s.concurrency} clients)`));
row('(c) FHIR, 100 records per Bundle: records/s', (r) => cell(r.steps['fhir-bundle100'], (s) => `${n(s.recordsPerSecond)} (${n(s.records)} records in ${s.seconds} s, ${s.concurrency} clients)`));
row('(c) ratio to (a); target 20,000 records/s', (r) => [r.ratiosToCopy.fhir, r.ratiosToCopy['fhir-bundle100']].map((x) => x ?? '–').join(' / '));
row('(e) peak RSS: COPY step process', (r) => cell(r.steps.copy, (s) => `${s.peakRssMiB} MiB`));
row('(e) peak RSS: `lir import` — target < 1 GiB', (r) => cell(r.steps.import, (s) => `${s.peakRssMiB} MiB`));
row('(e) peak RSS: `lir serve` during (c)', (r) => [r.steps.fhir, r.steps['fhir-bundle100']].map((st) => cell(st, (s) => `${s.peakRssMiB} MiB`)).join(' / '));
row('(e) peak RSS: query step process', (r) => cell(r.steps.queries, (s) => `${s.peakRssMiB} MiB`));
out.push('');
const q = runs.map((r) => ((r.steps.queries?.scenarios as { scenario: string; meanImplants?: number; p50?: number; p95?: number; p99?: number; error?: string }[] | undefined) ?? []));
out.push(`| (d) affected population | ${runs.map((r) => `${name[r.database]} p50 / p95 / p99 (ms) | mean implants`).join(' | ')} |`, `|---|${runs.map(() => '---|---:|').join('')}`);
for (const [i, s] of (q[0] ?? []).entries()) {
  out.push(`| ${s.scenario} | ${q.map((list) => { const x = list[i]; return x && x.p50 !== undefined ? `${x.p50} / ${x.p95} / ${x.p99} | ${n(x.meanImplants)}` : `${x?.error ?? '–'} | –`; }).join(' | ')} |`);
}
process.stdout.write(out.join('\n') + '\n');
