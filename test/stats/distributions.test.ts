// The shared special functions against R (test/fixtures/stats/distributions.R made the fixture).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as d from '../../src/stats/distributions.js';

interface Case {
  fn: keyof typeof d;
  args: (number | string)[];
  value: number | string;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/stats/distributions.json', import.meta.url), 'utf8')) as { cases: Case[] };
const num = (v: number | string) => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v));

/** Relative error, or absolute below 1e-300 (values that are zero in double precision). */
export function closeTo(actual: number, expected: number, rel: number): boolean {
  if (expected === actual) return true;
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= rel * Math.abs(expected) || Math.abs(actual - expected) < 1e-300;
}

describe('distributions match R to 1e-12 relative', () => {
  it.each(fixture.cases.map((c) => [`${c.fn}(${c.args.join(', ')})`, c] as const))('%s', (_label, c) => {
    const f = d[c.fn] as (...a: number[]) => number;
    const actual = f(...c.args.map(num));
    const expected = num(c.value);
    // logGamma(1) is 0: compare absolutely there
    expect(closeTo(actual, expected, 1e-12) || Math.abs(actual - expected) < 1e-14, `${actual} vs R ${expected}`).toBe(true);
  });
});
