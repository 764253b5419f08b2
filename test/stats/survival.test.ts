// Kaplan–Meier, Aalen–Johansen and log-rank against R (test/fixtures/stats/survival.R made the
// fixture: survival::survfit/summary, cmprsk::cuminc, survival::survdiff), plus properties, request
// validation and one call per `lir stats` method.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aalenJohansen } from '../../src/stats/competing-risks.js';
import { kaplanMeier, tallyTimes, type ConfType } from '../../src/stats/kaplan-meier.js';
import { logrank, LogrankError } from '../../src/stats/logrank.js';
import { StatsInputError } from '../../src/stats/request.js';
import { runStats } from '../../src/cli/commands/stats.js';

type Num = number | null;
interface KmCase {
  name: string;
  time: number[];
  event: number[];
  confType: ConfType;
  level: number;
  expected: { time: number[]; nRisk: number[]; nEvent: number[]; nCensor: number[]; survival: number[]; stdErr: Num[]; lower: Num[]; upper: Num[] };
}
interface AjCase {
  name: string;
  time: number[];
  cause: number[];
  causes: { cause: number; time: number[]; cumulativeIncidence: number[]; variance: number[]; lower: Num[]; upper: Num[] }[];
}
interface LrCase {
  name: string;
  time: number[];
  event: number[];
  group: (number | string)[];
  chiSquare: number;
  df: number;
  pValue: number;
  groups: (number | string)[];
  n: number[];
  observed: number[];
  expected: number[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/stats/survival.json', import.meta.url), 'utf8')) as {
  kaplanMeier: KmCase[];
  aalenJohansen: AjCase[];
  multiState: { time: number[]; cumulativeIncidence: number[] };
  logrank: LrCase[];
};

const REL = 1e-6;
/** Largest relative error seen per method (printed at the end, reported in the docs). */
const worst: Record<string, number> = {};

/** Arrays equal to 1e-6 relative (absolute below 1e-12); null on one side only where on both. */
function expectClose(method: string, actual: Num[], expected: Num[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    if (e === null) {
      expect(a, `${what}[${i}] R gives NA`).toBeNull();
      return;
    }
    expect(a, `${what}[${i}]`).not.toBeNull();
    const err = Math.abs(a! - e) / Math.max(Math.abs(e), 1e-12);
    worst[method] = Math.max(worst[method] ?? 0, Math.abs(e) < 1e-12 ? Math.abs(a! - e) : err);
    expect(Math.abs(a! - e) <= REL * Math.abs(e) || Math.abs(a! - e) < 1e-12, `${what}[${i}]: ${a} vs R ${e}`).toBe(true);
  });
}

describe('kaplan-meier matches survival::survfit + summary', () => {
  it.each(fixture.kaplanMeier.map((c) => [`${c.name}, ${c.confType}, ${c.level}`, c] as const))('%s', (_l, c) => {
    const r = kaplanMeier(c.time, c.event, { confType: c.confType, level: c.level });
    const x = c.expected;
    expect(r.time).toEqual(x.time);
    expect(r.nRisk).toEqual(x.nRisk);
    expect(r.nEvent).toEqual(x.nEvent);
    expect(r.nCensor).toEqual(x.nCensor);
    expectClose('kaplan-meier', r.survival, x.survival, 'survival');
    expectClose('kaplan-meier', r.stdErr, x.stdErr, 'stdErr');
    expectClose('kaplan-meier', r.lower, x.lower, 'lower');
    expectClose('kaplan-meier', r.upper, x.upper, 'upper');
    // the registries' cumulative incidence and its interval mirror S
    r.survival.forEach((s, i) => {
      expect(r.cumulativeIncidence[i]).toBe(1 - s);
      expect(r.cumulativeIncidenceLower[i]).toBe(r.upper[i] === null ? null : 1 - r.upper[i]!);
      expect(r.cumulativeIncidenceUpper[i]).toBe(r.lower[i] === null ? null : 1 - r.lower[i]!);
    });
  });

  it('properties: S non-increasing, the interval contains S, n at risk falls', () => {
    const c = fixture.kaplanMeier.find((k) => k.name.startsWith('iud'))!;
    for (const confType of ['log', 'log-log', 'plain'] as const) {
      const r = kaplanMeier(c.time, c.event, { confType });
      for (let i = 0; i < r.time.length; i++) {
        if (i > 0) {
          expect(r.survival[i]!).toBeLessThanOrEqual(r.survival[i - 1]!);
          expect(r.nRisk[i]!).toBeLessThan(r.nRisk[i - 1]!);
          expect(r.time[i]!).toBeGreaterThan(r.time[i - 1]!);
        }
        if (r.lower[i] !== null) expect(r.lower[i]!).toBeLessThanOrEqual(r.survival[i]!);
        if (r.upper[i] !== null) expect(r.upper[i]!).toBeGreaterThanOrEqual(r.survival[i]!);
      }
      expect(r.events).toBe(c.event.reduce((a, b) => a + b, 0));
    }
  });

  it('censor-only times are not rows but are listed as censor times; all censored gives no rows', () => {
    const r = kaplanMeier([3, 5, 5, 8], [0, 0, 0, 0]);
    expect(r.time).toEqual([]);
    expect(r.censorTime).toEqual([3, 5, 8]);
    expect(kaplanMeier([1, 2, 2, 9], [1, 0, 1, 0]).censorTime).toEqual([2, 9]);
  });

  it('tallyTimes counts ties per code and the number at risk', () => {
    const t = tallyTimes([2, 1, 2, 2, 3], [1, 0, 0, 1, 1], 2);
    expect(Array.from(t.time)).toEqual([1, 2, 3]);
    expect(Array.from(t.count[0]!)).toEqual([1, 1, 0]);
    expect(Array.from(t.count[1]!)).toEqual([0, 2, 1]);
    expect(Array.from(t.atRisk)).toEqual([5, 4, 1]);
  });
});

describe('aalen-johansen matches cmprsk::cuminc (estimate, Gray variance)', () => {
  it.each(fixture.aalenJohansen.map((c) => [c.name, c] as const))('%s', (_l, c) => {
    const r = aalenJohansen(c.time, c.cause);
    expect(r.causes.map((k) => k.cause)).toEqual(c.causes.map((k) => k.cause));
    r.causes.forEach((k, i) => {
      const x = c.causes[i]!;
      expect(k.time).toEqual(x.time);
      expectClose('aalen-johansen', k.cumulativeIncidence, x.cumulativeIncidence, `cause ${k.cause} F`);
      expectClose('aalen-johansen', k.variance, x.variance, `cause ${k.cause} variance`);
      expectClose('aalen-johansen', k.lower, x.lower, `cause ${k.cause} lower`);
      expectClose('aalen-johansen', k.upper, x.upper, `cause ${k.cause} upper`);
    });
  });

  it('the estimate equals survival::survfit multi-state (Aalen–Johansen) too', () => {
    const c = fixture.aalenJohansen.find((k) => k.name.startsWith('iud'))!;
    const k1 = aalenJohansen(c.time, c.cause).causes[0]!;
    expectClose('aalen-johansen', k1.cumulativeIncidence, fixture.multiState.cumulativeIncidence, 'survfit multi-state');
  });

  it('with one cause it is 1 − Kaplan–Meier; the causes add up to 1 − S', () => {
    const km = kaplanMeier([1, 2, 2, 3, 4, 6], [1, 0, 1, 1, 0, 1]);
    const aj = aalenJohansen([1, 2, 2, 3, 4, 6], [1, 0, 1, 1, 0, 1]);
    km.cumulativeIncidence.forEach((f, i) => expect(aj.causes[0]!.cumulativeIncidence[i]).toBeCloseTo(f, 14));
    const c = fixture.aalenJohansen.find((k) => k.name.startsWith('iud'))!;
    const all = kaplanMeier(c.time, c.cause.map((x) => (x === 0 ? 0 : 1)));
    const curves = aalenJohansen(c.time, c.cause).causes;
    const at = (k: (typeof curves)[number], t: number) => {
      let f = 0;
      k.time.forEach((s, i) => (s <= t ? (f = k.cumulativeIncidence[i]!) : undefined));
      return f;
    };
    all.time.forEach((t, i) => expect(at(curves[0]!, t) + at(curves[1]!, t)).toBeCloseTo(all.cumulativeIncidence[i]!, 12));
  });

  it('all censored: no cause curves (cmprsk::cuminc stops with an error there)', () => {
    expect(aalenJohansen([1, 2, 3], [0, 0, 0])).toEqual({ level: 0.95, n: 3, censored: 3, causes: [] });
  });
});

describe('logrank matches survival::survdiff', () => {
  it.each(fixture.logrank.map((c) => [c.name, c] as const))('%s', (_l, c) => {
    const r = logrank(c.time, c.event, c.group);
    expect(r.df).toBe(c.df);
    expectClose('logrank', [r.chiSquare], [c.chiSquare], 'chiSquare');
    expectClose('logrank', [r.pValue], [c.pValue], 'pValue');
    expect(r.groups.map((g) => g.group)).toEqual(c.groups);
    expect(r.groups.map((g) => g.n)).toEqual(c.n);
    expect(r.groups.map((g) => g.observed)).toEqual(c.observed);
    expectClose('logrank', r.groups.map((g) => g.expected), c.expected, 'expected');
  });

  it('a single group, or no events, is no test', () => {
    expect(() => logrank([1, 2], [1, 0], ['a', 'a'])).toThrow(LogrankError);
    expect(() => logrank([1, 2], [1, 0], ['a', 'a'])).toThrow(/at least two groups/);
    expect(() => logrank([1, 2], [0, 0], ['a', 'b'])).toThrow(/fewer than two groups/);
  });

  it('observed and expected totals agree', () => {
    const c = fixture.logrank[0]!;
    const r = logrank(c.time, c.event, c.group);
    const o = r.groups.reduce((s, g) => s + g.observed, 0);
    const e = r.groups.reduce((s, g) => s + g.expected, 0);
    expect(e).toBeCloseTo(o, 9);
  });
});

describe('lir stats survival requests', () => {
  const bad = (method: string, request: unknown, pointer: string, message: RegExp) => {
    try {
      runStats(method, JSON.stringify(request));
    } catch (err) {
      expect(err).toBeInstanceOf(StatsInputError);
      expect((err as StatsInputError).pointer).toBe(pointer);
      expect((err as StatsInputError).message).toMatch(message);
      return;
    }
    throw new Error('no error');
  };

  it('kaplan-meier: documented request and response', () => {
    const r = runStats('kaplan-meier', JSON.stringify({ time: [1, 2, 2, 2, 3, 4, 4, 5, 5], event: [1, 1, 1, 0, 0, 1, 0, 1, 1], confType: 'log-log' })) as Record<string, unknown>;
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['time', 'nRisk', 'nEvent', 'nCensor', 'survival', 'stdErr', 'lower', 'upper', 'cumulativeIncidence', 'censorTime']));
    expect(r['time']).toEqual([1, 2, 4, 5]);
    expect(r['confType']).toBe('log-log');
    // S = 0 at the end: R's NA becomes null in the JSON, never NaN
    expect(JSON.parse(JSON.stringify(r))['lower'][3]).toBeNull();
  });

  it('kaplan-meier: the default is R’s conf.type "log" at 95%', () => {
    const r = runStats('kaplan-meier', '{"time":[1,2,3],"event":[1,0,1]}') as { confType: string; level: number };
    expect([r.confType, r.level]).toEqual(['log', 0.95]);
  });

  it('aalen-johansen and logrank: documented request and response', () => {
    const aj = runStats('aalen-johansen', JSON.stringify({ time: [1, 2, 2, 3, 4], cause: [1, 2, 0, 1, 0] })) as { causes: { cause: number; time: number[] }[] };
    expect(aj.causes.map((c) => [c.cause, c.time])).toEqual([
      [1, [1, 3]],
      [2, [2]],
    ]);
    const lr = runStats('logrank', JSON.stringify({ time: [1, 2, 3, 4, 5, 6], event: [1, 1, 0, 1, 1, 1], group: ['a', 'b', 'a', 'b', 'a', 'b'] })) as Record<string, unknown>;
    expect(Object.keys(lr)).toEqual(['chiSquare', 'df', 'pValue', 'groups']);
    expect(lr['df']).toBe(1);
  });

  it('bad requests name the field', () => {
    bad('kaplan-meier', { time: [], event: [] }, '/time', /at least 1 value/);
    bad('kaplan-meier', { event: [1] }, '/time', /time must be an array/);
    bad('kaplan-meier', { time: [1, -2], event: [1, 1] }, '/time/1', /at least 0/);
    bad('kaplan-meier', { time: [1, 2], event: [1, 2] }, '/event/1', /at most 1/);
    bad('kaplan-meier', { time: [1, 2], event: [1] }, '/event', /as many values as time/);
    bad('kaplan-meier', { time: [1], event: [1], confType: 'logit' }, '/confType', /one of/);
    bad('kaplan-meier', { time: [1], event: [1], level: 1 }, '/level', /below 1/);
    bad('aalen-johansen', { time: [1, 2], cause: [1, 1.5] }, '/cause/1', /whole number/);
    bad('aalen-johansen', { time: [1, 2], cause: [1] }, '/cause', /as many values/);
    bad('logrank', { time: [1, 2], event: [1, 1], group: [1, 1] }, '/group', /at least two groups/);
    bad('logrank', { time: [1, 2], event: [1, 1], group: [1, 'b'] }, '/group/1', /do not mix/);
    bad('logrank', { time: [1, 2], event: [1, 1], group: [1, null] }, '/group/1', /number or a string/);
    bad('logrank', { time: [1, 2], event: [1, 1], group: [1, 2, 3] }, '/group', /as many values/);
    bad('logrank', { time: [], event: [], group: [] }, '/time', /at least 1 value/);
  });
});

describe('accuracy summary', () => {
  it('reports the largest relative error per method', () => {
    // eslint-disable-next-line no-console
    console.log('max relative error against R:', JSON.stringify(worst));
    for (const v of Object.values(worst)) expect(v).toBeLessThan(REL);
  });
});
