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
import { CATALOGUE_COMPONENTS, IUD_RATES, PROVIDER_COUNTS } from '../../src/sim/national/config.js';
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

describe('the device catalogue', () => {
  const model = createNationalModel({ records: 1000, seed: 1 });
  const devices = model.devices;

  it('has hundreds of products from tens of manufacturers, each with a valid UDI-DI, and a few outside the catalogue', () => {
    expect(devices.length).toBeGreaterThanOrEqual(300);
    expect(devices.length).toBeLessThanOrEqual(600);
    expect(new Set(devices.map((d) => d.manufacturer)).size).toBeGreaterThanOrEqual(20);
    expect(new Set(devices.map((d) => d.udiDi)).size).toBe(devices.length);
    expect(new Set(devices.map((d) => d.code)).size).toBe(devices.length);
    for (const d of devices) {
      if (d.issuer === 'GS1') expect(isValidGtin(d.udiDi), d.udiDi).toBe(true);
      else expect(d.udiDi).toMatch(/^[A-Z][A-Z0-9]{3}[A-Z0-9]{1,18}\d$/); // the catalogue import's HIBC UDI-DI rule
    }
    expect(devices.filter((d) => d.issuer === 'HIBCC').length).toBeGreaterThan(10);
    expect(devices.filter((d) => !d.inCatalogue).map((d) => d.code).sort()).toEqual(['BIX', 'CUX', 'KTX']);
    expect(model.catalogue).toHaveLength(devices.length - 3);
    // the same catalogue for every seed
    expect(createNationalModel({ records: 1000, seed: 2 }).devices).toEqual(devices);
    // the scenario devices
    const sphere = devices.find((d) => d.problemCandidate)!;
    expect([sphere.code, sphere.from, sphere.to]).toEqual(['CU4', '2019-04-01', '2021-07-20']);
    expect(devices.find((d) => d.code === 'LN1')!.productName).toBe('LNG-IUS 52 mg');
  });

  it('gives Zipf-shaped popularity per component: shares falling with rank, the largest 15–30 %', () => {
    for (const c of CATALOGUE_COMPONENTS) {
      const ranked = devices.filter((d) => d.implantType === c.implantType && d.rank > 0).sort((a, b) => a.rank - b.rank);
      expect(ranked).toHaveLength(c.products);
      for (let i = 1; i < ranked.length; i++) expect(ranked[i]!.share).toBeLessThan(ranked[i - 1]!.share);
      // Zipf: share(1) / share(r) = r^s
      expect(ranked[0]!.share / ranked[9]!.share).toBeCloseTo(10 ** c.exponent, 6);
      const total = devices.filter((d) => d.implantType === c.implantType).reduce((s, d) => s + d.share, 0);
      expect(total).toBeCloseTo(1, 9);
      expect(ranked[0]!.share / total, c.implantType).toBeGreaterThanOrEqual(0.15);
      expect(ranked[0]!.share / total, c.implantType).toBeLessThanOrEqual(0.3);
      // lots grow with volume
      const lots = (d: (typeof ranked)[number]) => d.lotsPerMonth / d.lotMonths;
      for (let i = 1; i < ranked.length; i++) expect(lots(ranked[i]!)).toBeLessThanOrEqual(lots(ranked[i - 1]!));
    }
  });

  it('realises those shares: no product above 6 % of the implantations of the register, the largest per component 12–35 %', () => {
    const m = createNationalModel({ records: 200_000, seed: 1 });
    const byDi = new Map(m.devices.map((d) => [d.udiDi, d] as const));
    const counts = new Map<string, number>();
    let n = 0;
    for (const { record, invalid } of m.records()) {
      if (invalid !== null || record.implantDate === undefined || record.explantDate !== undefined || record.followUpDate !== undefined) continue;
      const di = typeof record.udi === 'string' ? record.udi.slice(4, 18) : String(record.udiDi);
      if (!byDi.has(di)) continue;
      counts.set(di, (counts.get(di) ?? 0) + 1);
      n++;
    }
    const largest = Math.max(...counts.values()) / n;
    expect(largest).toBeGreaterThan(0.02);
    expect(largest).toBeLessThan(0.06);
    for (const c of CATALOGUE_COMPONENTS) {
      const ranked = m.devices.filter((d) => d.implantType === c.implantType && d.rank > 0).sort((a, b) => a.rank - b.rank).map((d) => counts.get(d.udiDi) ?? 0);
      const all = m.devices.filter((d) => d.implantType === c.implantType).reduce((s, d) => s + (counts.get(d.udiDi) ?? 0), 0);
      expect(ranked[0]! / all, c.implantType).toBeGreaterThan(0.12);
      expect(ranked[0]! / all, c.implantType).toBeLessThan(0.35);
      expect(ranked[0]!).toBeGreaterThan(ranked[4]!);
      expect(ranked[4]!).toBeGreaterThan(ranked.at(-1)!);
    }
  }, 60_000);
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
