// Benchmark: Kaplan–Meier over 1,000,000 observations with many ties and censoring (target: well
// under one second).   npx tsx bench/kaplan-meier.ts [--n 1000000] [--rounds 5]
// Follow-up in whole days over 10 years (≤ 3,653 distinct times, so heavy ties), about 5% events.
// Data from a seeded generator; the best of the timed rounds counts, the median is shown too.

import { arg } from './args.js';
import { writeResult } from './write-result.js';
import { kaplanMeier } from '../src/stats/kaplan-meier.js';

const N = Number(arg('n', '1000000'));
const ROUNDS = Number(arg('rounds', '5'));

/** mulberry32: a small seeded generator, so every run times the same data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = rng(6);
const time = new Float64Array(N);
const event = new Uint8Array(N);
for (let i = 0; i < N; i++) {
  const eventDay = Math.floor(-Math.log(1 - rand()) * 20000); // rare events
  const censorDay = Math.floor(rand() * 3653); // staggered entry over 10 years
  time[i] = Math.min(eventDay, censorDay);
  event[i] = eventDay <= censorDay ? 1 : 0;
}

const heapBefore = process.memoryUsage().heapUsed;
const ms: number[] = [];
let rows = 0;
let events = 0;
let peakHeap = 0;
let peakBuffers = 0; // typed arrays live outside the JS heap
for (let r = 0; r < ROUNDS + 1; r++) {
  const t0 = performance.now();
  const res = kaplanMeier(time, event, { confType: 'log-log' });
  const dt = performance.now() - t0;
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  if (r > 0) ms.push(dt); // the first round warms up the JIT
  rows = res.time.length;
  events = res.events;
}
ms.sort((a, b) => a - b);
const mem = process.memoryUsage();
const result = {
      n: N,
      events,
      distinctEventTimes: rows,
      bestMs: Number(ms[0]!.toFixed(1)),
      medianMs: Number(ms[Math.floor(ms.length / 2)]!.toFixed(1)),
      inputMiB: Number(((time.byteLength + event.byteLength) / 2 ** 20).toFixed(1)),
      heapGrowthMiB: Number(((peakHeap - heapBefore) / 2 ** 20).toFixed(1)),
      arrayBuffersMiB: Number((peakBuffers / 2 ** 20).toFixed(1)),
      rssMiB: Number((mem.rss / 2 ** 20).toFixed(1)),
      underOneSecond: ms[0]! < 1000,
};
console.log(JSON.stringify(result, null, 2));
writeResult('kaplan-meier', result);
