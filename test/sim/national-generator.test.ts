// The national generator: deterministic for a seed (byte-identical files through `lir simulate`),
// and the realised IUD outcome rates match the configured rates within their 99 % interval.

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { captureOutput } from '../helpers/capture-output.js';
import { clopperPearson } from '../../src/stats/proportions.js';
import { Random } from '../../src/sim/random.js';
import { createNationalModel } from '../../src/sim/national/index.js';
import { IUD_RATES, PROVIDER_COUNTS } from '../../src/sim/national/config.js';
import { drawOutcome, drawPlacement, outcomeProbabilities, perforationBaseline } from '../../src/sim/national/iud.js';
import { multipliersFor, resolveScenarios, type ActiveScenario } from '../../src/sim/national/scenarios.js';
import { isValidGtin } from '../../src/udi/index.js';
import { isAgb, isKvk } from '../../src/domain/identifiers.js';
import { dayOf } from '../../src/sim/national/util.js';

const dir = mkdtempSync(join(tmpdir(), 'lir-simgen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FILES = ['providers.csv', 'catalogue.csv', 'records.csv', 'bundles.ndjson', 'ground-truth.json', 'manifest.json'];

async function simulate(out: string, seed: number): Promise<Record<string, string>> {
  const { exitCode } = await captureOutput(() => buildProgram().parseAsync(['node', 'lir', 'simulate', '--records', '2000', '--seed', String(seed), '--out', out, '--format', 'csv,fhir', '--scenario', 'problem-device:4', '--scenario', 'bad-lot']));
  expect(exitCode ?? 0).toBe(0);
  return Object.fromEntries(FILES.map((f) => [f, createHash('sha256').update(readFileSync(join(out, f))).digest('hex')]));
}

describe('lir simulate', () => {
  it('writes byte-identical files for the same seed, and different ones for another seed', async () => {
    const a = await simulate(join(dir, 'a'), 5);
    const b = await simulate(join(dir, 'b'), 5);
    const c = await simulate(join(dir, 'c'), 6);
    expect(b).toEqual(a);
    for (const f of ['records.csv', 'bundles.ndjson', 'ground-truth.json', 'providers.csv']) expect(c[f]).not.toBe(a[f]);
    const records = readFileSync(join(dir, 'a', 'records.csv'), 'utf8').trim().split('\n');
    expect(records).toHaveLength(2001);
    const manifest = JSON.parse(readFileSync(join(dir, 'a', 'manifest.json'), 'utf8'));
    expect(manifest.files['records.csv'].rows).toBe(2000);
    expect(manifest.invalidRows.length).toBeGreaterThan(0);
    for (const r of manifest.invalidRows) expect(records[r.line - 1]!.split(',')[1]).toBe(r.ref);
    const truth = JSON.parse(readFileSync(join(dir, 'a', 'ground-truth.json'), 'utf8'));
    expect(truth.scenarios.map((s: { name: string; k: number }) => [s.name, s.k])).toEqual([['problem-device', 4], ['bad-lot', 3]]);
  }, 60_000);
});

describe('the national model', () => {
  it('has every provider type, valid KvK, AGB and GTIN numbers, and full provider counts at national size', () => {
    const small = createNationalModel({ records: 1000 });
    expect(new Set(small.providers.map((p) => p.type))).toEqual(new Set(Object.keys(PROVIDER_COUNTS)));
    const big = createNationalModel({ records: 10_000_000 });
    for (const [type, n] of Object.entries(PROVIDER_COUNTS)) expect(big.providers.filter((p) => p.type === type)).toHaveLength(n);
    expect(new Set(big.providers.map((p) => p.kvk)).size).toBe(big.providers.length);
    for (const p of big.providers) {
      expect(isKvk(p.kvk)).toBe(true);
      if (p.agb !== null) expect(isAgb(p.agb)).toBe(true);
    }
    for (const d of big.devices) if (d.issuer === 'GS1') expect(isValidGtin(d.udiDi)).toBe(true);
    expect(big.devices.some((d) => d.issuer === 'HIBCC')).toBe(true);
    expect(big.devices.some((d) => !d.inCatalogue)).toBe(true);
  });

  it('streams exactly the requested rows, the same ones on every call', () => {
    const m = createNationalModel({ records: 5000, seed: 9 });
    const first = [...m.records()].map((r) => JSON.stringify(r));
    const second = [...m.records()].map((r) => JSON.stringify(r));
    expect(first).toHaveLength(5000);
    expect(second).toEqual(first);
  });
});

describe('realised IUD rates match the configured rates (99 % Clopper–Pearson)', () => {
  const within = (events: number, n: number, p: number) => {
    const ci = clopperPearson(events, n, 0.99);
    expect(p, `${events}/${n} = ${(events / n).toFixed(5)}, configured ${p}, 99 % CI ${ci.lower.toFixed(5)}–${ci.upper.toFixed(5)}`).toBeGreaterThanOrEqual(ci.lower);
    expect(p).toBeLessThanOrEqual(ci.upper);
  };

  it('perforation by EURAS-IUD stratum, expulsion, pregnancy in 200,000 placements', () => {
    const rnd = new Random(20260);
    const perf = new Map<number, [number, number]>();
    let expN = 0, exp = 0;
    const preg = { copper: [0, 0], hormonal: [0, 0] };
    for (let i = 0; i < 200_000; i++) {
      const placement = drawPlacement(rnd, i % 2 ? 'gp-practice' : 'midwifery-practice');
      const hormonal = rnd.chance(0.7);
      const o = drawOutcome(rnd, outcomeProbabilities(placement, hormonal));
      const p = perforationBaseline(placement);
      const cell = perf.get(p) ?? [0, 0];
      cell[0] = cell[0]! + (o.event === 'perforation' ? 1 : 0);
      cell[1] = cell[1]! + 1;
      perf.set(p, cell);
      if (!placement.previousExpulsion) {
        expN++;
        if (o.event === 'expulsion') exp++;
      }
      const g = preg[hormonal ? 'hormonal' : 'copper'];
      g[1] = g[1]! + 1;
      if (o.event === 'pregnancy') g[0] = g[0]! + 1;
    }
    expect(perf.size).toBe(4);
    for (const [p, [events, n]] of perf) within(events, n, p);
    within(exp, expN, IUD_RATES.expulsion);
    within(preg.copper[0]!, preg.copper[1]!, IUD_RATES.pregnancy.copper);
    within(preg.hormonal[0]!, preg.hormonal[1]!, IUD_RATES.pregnancy.hormonal);
  });

  it("the problem device's expulsion is k × baseline after its introduction date, baseline before", () => {
    const model = createNationalModel({ records: 1000, seed: 3 });
    const k = 4;
    const [s] = resolveScenarios([{ name: 'problem-device', k }], 3, model.devices, model.providers, dayOf('2019-01-01'), dayOf('2026-10-31')) as [ActiveScenario];
    const device = model.devices.find((d) => d.problemCandidate)!;
    const rnd = new Random(77);
    const hit: ActiveScenario[] = [];
    const count = (day: number) => {
      let n = 0, e = 0, bfN = 0, bfPerf = 0;
      for (let i = 0; i < 100_000; i++) {
        const placement = drawPlacement(rnd, 'gp-practice');
        const m = multipliersFor([s], device.udiDi, 'X', '00000000', day, placement.breastfeeding, hit);
        const o = drawOutcome(rnd, outcomeProbabilities(placement, false, m));
        if (!placement.previousExpulsion) {
          n++;
          if (o.event === 'expulsion') e++;
        }
        if (placement.breastfeeding && placement.postpartum) {
          bfN++;
          if (o.event === 'perforation') bfPerf++;
        }
      }
      return { n, e, bfN, bfPerf };
    };
    const after = count(dayOf('2020-01-01'));
    within(after.e, after.n, IUD_RATES.expulsion * k);
    within(after.bfPerf, after.bfN, IUD_RATES.perforation.breastfeedingPostpartum * s.multipliers.perforationBreastfeeding);
    const before = count(dayOf('2019-03-01'));
    within(before.e, before.n, IUD_RATES.expulsion);
  });

  it('the ground truth counts of a generated data set show the elevated rate', () => {
    const model = createNationalModel({ records: 400_000, seed: 4, scenarios: [{ name: 'problem-device', k: 3 }] });
    for (const _ of model.records()) void _;
    const [s] = model.groundTruth().scenarios;
    expect(s!.realised.placements).toBeGreaterThan(1000);
    // expected: k × 5 % × (0.96 + 0.04 × 2) for the share with an earlier expulsion
    within(s!.realised.expulsions, s!.realised.placements, 3 * IUD_RATES.expulsion * (1 + 0.04));
  }, 60_000);
});
