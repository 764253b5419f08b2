// Benchmark: a Bernoulli CUSUM and a risk-adjusted CUSUM over 1,000,000 outcomes each (target: well
// under one second each).   npx tsx bench/cusum.ts [--n 1000000] [--rounds 5]
// Outcomes are drawn once with the seeded generator; each round charts them; the best round counts,
// the median is printed alongside, with the heap growth of one chart.

import { arg } from './args.js';
import { writeResult } from './write-result.js';
import { bernoulliCusum, riskAdjustedCusum } from '../src/stats/cusum.js';
import { createRandom } from '../src/stats/random.js';

const N = Number(arg('n', '1000000'));
const ROUNDS = Number(arg('rounds', '5'));

const rng = createRandom(2046);
const outcomes = new Uint8Array(N);
const risks = new Float64Array(N);
const levels = [0.001, 0.01, 0.1, 0.002, 0.02, 0.2];
for (let i = 0; i < N; i++) {
  risks[i] = levels[rng.nextUint32() % levels.length]!;
  outcomes[i] = rng.bernoulli(risks[i]!);
}

const results: Record<string, unknown>[] = [];
function measure(name: string, fn: () => { signals: number[] }): void {
  fn(); // warm-up
  const times: number[] = [];
  let signals = 0;
  let heap = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const before = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    const res = fn();
    times.push(performance.now() - t0);
    heap = Math.max(heap, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - before);
    signals = res.signals.length;
  }
  times.sort((a, b) => a - b);
  results.push({ chart: name, outcomes: N, bestMs: Number(times[0]!.toFixed(1)), medianMs: Number(times[Math.floor(ROUNDS / 2)]!.toFixed(1)), allocatedMiB: Number((heap / 2 ** 20).toFixed(1)), signals, underOneSecond: times[0]! < 1000 });
  console.log(`${name}: ${N.toLocaleString('en')} outcomes, best ${times[0]!.toFixed(1)} ms, median ${times[Math.floor(ROUNDS / 2)]!.toFixed(1)} ms, ~${(heap / 2 ** 20).toFixed(1)} MiB allocated, ${signals} signals${times[0]! < 1000 ? '' : '  (OVER 1 s)'}`);
}

measure('Bernoulli CUSUM (p0 0.05, R 2, h 4.5)', () => bernoulliCusum(0.05, outcomes, 4.5));
measure('risk-adjusted CUSUM (R 2, h 4.5)', () => riskAdjustedCusum(risks, outcomes, 4.5));
writeResult('cusum', { results });
