// Times the affected-population query for one kind of filter: `runs` random filters, p50/p95/p99
// in ms (2 decimals) and the mean number of implants found. Shared by the suite's query step and
// the older affected-population benchmark.

import type { Db } from '../src/db/types.js';
import { OPERATOR } from '../src/auth/caller.js';
import { affectedPopulation, type AffectedPopulationFilter } from '../src/register/affected-population.js';
import type { loadImplantTypes } from '../src/catalogue/reference-data.js';

export type ScenarioTiming = {
  scenario: string;
  runs: number;
  meanImplants: number;
  p50: number;
  p95: number;
  p99: number;
};

const percentile = (sorted: number[], p: number): number => +sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2);

export async function timeScenario(
  db: Db,
  scenario: string,
  makeFilter: () => AffectedPopulationFilter,
  runs: number,
  implantTypes: Awaited<ReturnType<typeof loadImplantTypes>>,
): Promise<ScenarioTiming> {
  const times: number[] = [];
  let implants = 0;
  for (let i = 0; i < runs; i++) {
    const filter = makeFilter();
    const start = performance.now();
    const answer = await affectedPopulation(db, OPERATOR, filter, implantTypes);
    times.push(performance.now() - start);
    implants += answer.implants;
  }
  times.sort((a, b) => a - b);
  return { scenario, runs, meanImplants: Math.round(implants / runs), p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
}
