// Benchmark: UDI parses per second for typical carriers (target ≥ 500,000/s each).
//   npx tsx bench/udi-parse.ts [--ms 1000] [--rounds 5]
// Warm-up, then timed rounds of a tight loop per carrier; the best round counts (least disturbed
// by GC and other processes), the median is reported alongside. Writes bench/results/udi-parse.json.

import { arg } from './args.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { parseUdi, parseUdiGroup, type UdiParseOptions } from '../src/udi/index.js';

const ROUND_MS = Number(arg('ms', '1000'));
const ROUNDS = Number(arg('rounds', '5'));
const TARGET = 500_000;
const GS = '\u001d';
const opts: UdiParseOptions = { referenceDate: new Date('2026-01-15T00:00:00Z') };

interface Case {
  name: string;
  input: string | string[];
  typical: boolean;
}

const CASES: Case[] = [
  { name: 'GS1 DataMatrix, raw with ]d2 and GS', input: `]d20108023279277098172212311012345AB${GS}2112345XYZ${GS}11010101`, typical: true },
  { name: 'GS1 HRI (typed / HL7 PRT-10)', input: '(01)08023279277098(17)221231(10)1234AB(21)12345XYZ(11)010101', typical: true },
  { name: 'GS1-128, raw with ]C1 (DI + expiry + lot)', input: ']C1010802327927709817221231101234AB', typical: true },
  { name: 'HIBC concatenated (2-D)', input: '+A99912345/$$52001510X3/16D20111212/S77DEFG457', typical: true },
  { name: 'HIBC primary + secondary read together (1-D)', input: '+A123BJC5D6E71G+$$52001510X3GD', typical: true },
  { name: 'ISBT 128 UDI (ST-017 §5)', input: '=/A9999XYZ100T0476=,000025=A99971712345600=>019032=}017032&,1000000000000XYZ123', typical: true },
  { name: 'scan session: GS1-128 label in two parts', input: [']C10108023279277098', `]C1172212311012345AB${GS}2112345XYZ`], typical: false },
  { name: 'invalid: GTIN check digit (error path)', input: ']d20108023279277099172212311012345AB', typical: false },
];

function once(c: Case): boolean {
  const r = typeof c.input === 'string' ? parseUdi(c.input, opts) : parseUdiGroup(c.input, opts);
  return r.ok;
}

function round(c: Case, ms: number): number {
  let n = 0;
  let sink = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let k = 0; k < 1000; k++) if (once(c)) sink++;
    n += 1000;
    t = performance.now();
  }
  if (sink < 0) console.log(sink);
  return (n / (t - t0)) * 1000;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

const results = [];
for (const c of CASES) {
  round(c, Math.min(300, ROUND_MS)); // warm-up: JIT
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) rates.push(round(c, ROUND_MS));
  const best = Math.max(...rates);
  results.push({ name: c.name, typical: c.typical, input: c.input, bestPerSecond: Math.round(best), medianPerSecond: Math.round(median(rates)), meetsTarget: best >= TARGET });
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number) => x.toLocaleString('en').padStart(12);
console.log(`${pad('carrier', 48)} ${'best/s'.padStart(12)} ${'median/s'.padStart(12)}  target ${TARGET.toLocaleString('en')}/s`);
for (const r of results) {
  console.log(`${pad(r.name, 48)} ${num(r.bestPerSecond)} ${num(r.medianPerSecond)}  ${r.typical ? (r.meetsTarget ? 'ok' : 'BELOW TARGET') : '(info)'}`);
}

mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/udi-parse.json',
  `${JSON.stringify(
    {
      benchmark: 'udi-parse',
      date: new Date().toISOString(),
      node: process.version,
      host: { hostname: hostname(), cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
      roundMs: ROUND_MS,
      rounds: ROUNDS,
      targetPerSecond: TARGET,
      allTypicalMeetTarget: results.filter((r) => r.typical).every((r) => r.meetsTarget),
      results,
    },
    null,
    2,
  )}\n`,
);
console.log('wrote bench/results/udi-parse.json');
