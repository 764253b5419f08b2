// `lir stats` itself: unknown methods, text that is not JSON, a request that is not an object.
// The methods' own requests and results are tested with their groups (test/stats/*).

import { describe, expect, it } from 'vitest';
import { runStats } from '../../src/cli/commands/stats.js';
import { StatsInputError } from '../../src/stats/request.js';
import { STATS_METHODS } from '../../src/stats/requests/index.js';

const refusal = (method: string, text: string) => {
  try {
    runStats(method, text);
  } catch (err) {
    if (err instanceof StatsInputError) return { message: err.message, pointer: err.pointer };
    throw err;
  }
  throw new Error('no refusal');
};

describe('lir stats', () => {
  it('names the methods when the method is unknown', () => {
    const r = refusal('no-such-method', '{}');
    expect(r.message).toMatch(/unknown method "no-such-method"; methods: /);
    for (const name of Object.keys(STATS_METHODS)) expect(r.message).toContain(name);
  });
  it('refuses text that is not JSON, and JSON that is not an object', () => {
    const method = Object.keys(STATS_METHODS)[0] ?? 'proportion';
    expect(refusal(method, '{"events": 3,').message).toMatch(/not valid JSON/);
    expect(refusal(method, '[1, 2]')).toEqual({ message: 'the request must be a JSON object', pointer: '' });
    expect(refusal(method, 'null').message).toMatch(/JSON object/);
  });
  it('has the methods the issue names', () => {
    for (const m of ['proportion', 'poisson-rate', 'fisher', 'mantel-haenszel', 'kaplan-meier', 'logrank', 'cusum', 'cusum-limit', 'maxsprt-poisson', 'maxsprt-poisson-cv', 'disproportionality', 'funnel', 'aoanjrr']) {
      expect(Object.keys(STATS_METHODS), m).toContain(m);
    }
  });
});
