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

describe('lir stats --svg', () => {
  it('writes the picture of a Kaplan–Meier, CUSUM or funnel result next to the JSON; refuses it for a method without one', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'lir-stats-svg-'));
    const run = (method: string, request: unknown, svg: string) =>
      spawnSync(process.execPath, ['bin/lir.js', 'stats', method, '--svg', svg], { input: JSON.stringify(request), encoding: 'utf8' });
    const km = run('kaplan-meier', { time: [1, 2, 2, 3, 5, 8], event: [1, 0, 1, 1, 0, 1] }, join(dir, 'km.svg'));
    expect(km.status, km.stderr).toBe(0);
    expect(JSON.parse(km.stdout).survival.length).toBe(4);
    expect(readFileSync(join(dir, 'km.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<path[\s\S]*<\/svg>$/);
    const funnel = run('funnel', { target: 0.05, n: [20, 200], events: [1, 30], method: 'exact' }, join(dir, 'funnel.svg'));
    expect(funnel.status, funnel.stderr).toBe(0);
    expect(readFileSync(join(dir, 'funnel.svg'), 'utf8')).toContain('unit 2');
    const none = run('fisher', { a: 1, b: 2, c: 3, d: 4 }, join(dir, 'fisher.svg'));
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/has no picture/);
    expect(existsSync(join(dir, 'fisher.svg'))).toBe(false);
  });
});
