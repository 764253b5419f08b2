// Proportions, rates, 2×2 tables and disproportionality against R (test/fixtures/stats/proportions.R
// made the fixture), through the `lir stats` registry so the request/response shape is tested too.

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runStats } from '../../src/cli/commands/stats.js';

interface Case {
  method: string;
  input: Record<string, unknown>;
  expected: Record<string, number | string | boolean | null>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/stats/proportions.json', import.meta.url), 'utf8')) as { cases: Case[] };

const TOLERANCE = 1e-6;
const maxError: Record<string, number> = {};

/**
 * Relative error; differences below 1e-25 count as none (R's χ² of a table with ad = bc is 4e-29,
 * rounding noise of an exact 0). Exact equality for "Infinity" strings, booleans and null.
 */
function relError(actual: unknown, expected: unknown): number {
  if (typeof expected !== 'number') return actual === expected ? 0 : Infinity;
  if (typeof actual !== 'number') return Infinity;
  if (Math.abs(actual - expected) < 1e-25) return 0;
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('matches R to 1e-6 relative', () => {
  it.each(fixture.cases.map((c) => [`${c.method} ${JSON.stringify(c.input)}`, c] as const))('%s', (_label, c) => {
    const result = runStats(c.method, JSON.stringify(c.input)) as Record<string, unknown>;
    for (const [field, expected] of Object.entries(c.expected)) {
      if (field === 'reference') continue;
      if (c.method === 'fisher' && field.startsWith('default')) {
        // plain fisher.test stops its root search at uniroot's default tolerance (about 1e-4 on ψ or 1/ψ)
        const ours = result[field.slice(7, 8).toLowerCase() + field.slice(8)];
        expect(relError(ours, expected), `${field}: ${String(ours)} vs plain fisher.test ${String(expected)}`).toBeLessThan(1e-2);
        continue;
      }
      const err = relError(result[field], expected);
      const key = `${c.method}${c.method === 'proportion' ? ` ${String(c.input.method)}` : c.method === 'mantel-haenszel' ? ` ${String(c.input.measure)}` : ''}`;
      maxError[key] = Math.max(maxError[key] ?? 0, err);
      expect(err, `${field}: ${String(result[field])} vs R ${String(expected)}`).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  afterAll(() => {
    console.log('max relative error against R:', Object.entries(maxError).map(([k, v]) => `${k} ${v.toExponential(1)}`).join('; '));
  });
});
