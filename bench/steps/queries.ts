// Suite step (d): affected-population queries on a loaded database (the one `lir import` filled, or
// the raw COPY's when the import did not run), timed through the real query function
// (`affectedPopulation`, provider names included) as bench/affected-population.ts does.
//   node --import tsx bench/steps/queries.ts --target JSON --result FILE [--runs 200]
// Filters are drawn from the data itself: lots and products of random records, the manufacturers
// of the catalogue with a date window, and the five most-implanted products "still implanted".

import { timeScenario } from '../query-timing.js';
import type { AffectedPopulationFilter } from '../../src/register/affected-population.js';
import { loadImplantTypes } from '../../src/catalogue/reference-data.js';
import { Random } from '../../src/sim/random.js';
import { argv, decodeTarget, openTarget, ownPeakRssMiB, writeJson } from './common.js';

const a = argv();
const target = decodeTarget(a.need('target'));
const resultFile = a.need('result');
const RUNS = a.num('runs', 200);

const db = await openTarget(target);
const t0 = performance.now();
// VACUUM sets the visibility map so index-only scans skip the table, as autovacuum would.
await db.query('VACUUM ANALYZE');
const vacuumSeconds = (performance.now() - t0) / 1000;
const [{ n }] = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM records')) as [{ n: number }];

const rnd = new Random(11);
const sample = await db.query<{ udi_di: string; lot: string | null }>(
  `SELECT udi_di, lot FROM records ${n > 200_000 ? 'TABLESAMPLE SYSTEM (1)' : ''} WHERE udi_di IS NOT NULL AND kind = 'implantation' AND status = 'active' LIMIT 2000`,
);
const withLot = sample.filter((r) => r.lot);
const popular = (await db.query<{ udi_di: string; n: number }>(
  `SELECT udi_di, count(*)::int AS n FROM records WHERE udi_di IS NOT NULL AND kind = 'implantation' GROUP BY udi_di ORDER BY 2 DESC LIMIT 5`,
)).map((r) => r.udi_di);
const manufacturers = (await db.query<{ manufacturer: string }>(`SELECT DISTINCT manufacturer FROM devices WHERE udi_di IN (SELECT DISTINCT udi_di FROM records)`)).map((r) => r.manufacturer);
const [span] = await db.query<{ lo: string; hi: string }>(`SELECT min(implant_date)::text AS lo, max(implant_date)::text AS hi FROM records`);
const implantTypes = await loadImplantTypes(db);

// a window of about a third of the data's years, like the Ballerine's April 2019 – July 2021
const windowOf = (): { implantedFrom: string; implantedTo: string } => {
  const lo = Date.parse(span!.lo);
  const hi = Date.parse(span!.hi);
  const from = lo + rnd.next() * ((hi - lo) * 2) / 3;
  return { implantedFrom: new Date(from).toISOString().slice(0, 10), implantedTo: new Date(from + (hi - lo) / 3).toISOString().slice(0, 10) };
};

const scenarios: [string, (() => AffectedPopulationFilter) | undefined][] = [
  ['one lot of one device', withLot.length ? () => { const r = rnd.pick(withLot); return { udiDi: [r.udi_di], lots: [r.lot!] }; } : undefined],
  ['one product (UDI-DI)', sample.length ? () => ({ udiDi: [rnd.pick(sample).udi_di] }) : undefined],
  ['popular product, still implanted', popular.length ? () => ({ udiDi: [rnd.pick(popular)], stillImplanted: true }) : undefined],
  ['manufacturer + date window', manufacturers.length && span?.lo ? () => ({ manufacturer: rnd.pick(manufacturers), ...windowOf() }) : undefined],
];
const results: Record<string, unknown>[] = [];
for (const [name, make] of scenarios) {
  if (!make) {
    results.push({ scenario: name, error: 'no data to draw this filter from' });
    continue;
  }
  const r = await timeScenario(db, name, make, RUNS, implantTypes);
  results.push(r);
  process.stderr.write(`${name.padEnd(34)} p50 ${r.p50} ms  p95 ${r.p95} ms  p99 ${r.p99} ms  (mean ${r.meanImplants} implants)\n`);
}
await db.close();
writeJson(resultFile, { records: n, vacuumAnalyzeSeconds: +vacuumSeconds.toFixed(2), scenarios: results, stepPeakRssMiB: ownPeakRssMiB() });
