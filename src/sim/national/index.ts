// The national simulation's pure, streaming API (used by `lir simulate` and the benchmarks):
// createNationalModel(config) → { providers, devices, records() }. Deterministic for a seed;
// records() streams and keeps no list of records.

import { DEFAULT_CONFIG, IUD_RATES, type SimConfig } from './config.js';
import { catalogueDevices, generateDevices, type SimDevice } from './catalogue.js';
import { generateProviders, type SimProvider } from './providers.js';
import { emptyStats, generateRows, type GenerationStats, type SimRecord } from './records.js';
import { resolveScenarios, type ActiveScenario } from './scenarios.js';
import { dayOf } from './util.js';

export type { SimConfig } from './config.js';
export type { SimDevice } from './catalogue.js';
export type { SimProvider } from './providers.js';
export type { SimRecord, SimFields, GenerationStats } from './records.js';
export type { ActiveScenario, ScenarioSpec } from './scenarios.js';
export { parseScenario } from './scenarios.js';
export { GENERATOR_VERSION } from './config.js';

export interface NationalModel {
  config: SimConfig;
  providers: SimProvider[];
  /** Every device used in records, including those not in the catalogue (inCatalogue false). */
  devices: SimDevice[];
  /** The devices of catalogue.csv. */
  catalogue: ReturnType<typeof catalogueDevices>;
  scenarios: ActiveScenario[];
  /** A fresh stream of exactly config.records rows; the same rows on every call. */
  records(): Generator<SimRecord>;
  /** Counts of the last completed (or running) records() stream. */
  stats(): GenerationStats;
  /** The ground truth: scenarios with targets, multipliers and realised counts; the configured rates. */
  groundTruth(): GroundTruth;
}

export interface GroundTruth {
  seed: number;
  period: { from: string; to: string };
  scenarios: Omit<ActiveScenario, 'fromDay'>[];
  configuredRates: { iud: typeof IUD_RATES };
  realised: GenerationStats['iud'];
}

export const MIN_RECORDS = 1_000;
export const MAX_RECORDS = 10_000_000;

export function createNationalModel(partial: Partial<SimConfig> = {}): NationalModel {
  const config: SimConfig = { ...DEFAULT_CONFIG, ...partial };
  if (!Number.isInteger(config.records) || config.records < 1) throw new RangeError('records must be a whole number of at least 1');
  if (!(config.invalidShare >= 0 && config.invalidShare < 0.5)) throw new RangeError('invalidShare must be from 0 to 0.5');
  const startDay = dayOf(`${config.startYear}-01-01`);
  const endDay = dayOf(config.endDate);
  if (!Number.isFinite(startDay) || !Number.isFinite(endDay) || endDay - startDay < 365) throw new RangeError('the period from startYear to endDate must be at least a year');
  const providers = generateProviders(config.seed, config.records);
  const devices = generateDevices();
  const seed = config.seed >>> 0;

  // pilot: rows per procedure and implantations per row, measured on a small run of the same model
  const pilotStats = emptyStats();
  const PILOT = 4_000;
  for (const _ of generateRows({ seed: seed ^ 0x5eed, rows: Number.MAX_SAFE_INTEGER, procedures: PILOT, startDay, endDay, invalidPerImplant: 0, providers, devices, scenarios: [], stats: pilotStats, maxProcedures: PILOT })) void _;
  const rowsPerProcedure = pilotStats.rows / PILOT;
  const implantRows = pilotStats.byKind.implantation;
  const s = config.invalidShare;
  const invalidPerImplant = implantRows > 0 ? (s * pilotStats.rows) / (implantRows * (1 - s)) : 0;
  const procedures = Math.max(1, Math.round((config.records * (1 - s)) / rowsPerProcedure));

  let scenarios = resolveScenarios(config.scenarios, seed, devices, providers, startDay, endDay);
  let stats = emptyStats();
  return {
    config,
    providers,
    devices,
    catalogue: catalogueDevices(devices),
    get scenarios() {
      return scenarios;
    },
    records() {
      stats = emptyStats();
      scenarios = resolveScenarios(config.scenarios, seed, devices, providers, startDay, endDay);
      return generateRows({ seed, rows: config.records, procedures, startDay, endDay, invalidPerImplant, providers, devices, scenarios, stats });
    },
    stats: () => stats,
    groundTruth: () => ({
      seed: config.seed,
      period: { from: `${config.startYear}-01-01`, to: config.endDate },
      scenarios: scenarios.map(({ fromDay: _f, ...rest }) => rest),
      configuredRates: { iud: IUD_RATES },
      realised: stats.iud,
    }),
  };
}
