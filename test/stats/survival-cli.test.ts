// `lir stats kaplan-meier` through the real command: JSON on stdin, JSON on stdout; a bad request
// exits 1 with a JSON error naming the field.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/lir.js', import.meta.url));
const lir = (method: string, input: string) => spawnSync(process.execPath, [bin, 'stats', method], { input, encoding: 'utf8', timeout: 30_000 });

describe('lir stats (survival group)', () => {
  it('kaplan-meier: stdin JSON to stdout JSON', () => {
    const r = lir('kaplan-meier', '{"time":[1,2,2,3],"event":[1,1,0,1],"confType":"plain"}');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { time: number[]; survival: number[]; lower: (number | null)[] };
    expect(out.time).toEqual([1, 2, 3]);
    expect(out.survival[1]).toBeCloseTo(0.5, 15);
    expect(out.lower[2]).toBeNull(); // S = 0: R's NaN
  });

  it('logrank with one group: exit 1 and a clear error', () => {
    const r = lir('logrank', '{"time":[1,2],"event":[1,1],"group":["a","a"]}');
    expect(r.status).toBe(1);
    const err = JSON.parse(r.stderr.trim().split('\n').pop()!.replace(/^lir: /, '')) as { error: { code: string; message: string; pointer: string } };
    expect(err.error.pointer).toBe('/group');
    expect(err.error.message).toMatch(/at least two groups/);
  });
}, 60_000);
