import { describe, expect, it } from 'vitest';
import { duration, ProgressReporter, type ProgressStream } from '../../src/cli/progress.js';

function fake(isTTY: boolean) {
  let t = 0;
  const out: string[] = [];
  const stream: ProgressStream = { isTTY, columns: 100, write: (s: string) => out.push(s) };
  return { stream, out, now: () => t, advance: (ms: number) => (t += ms) };
}

describe('ProgressReporter', () => {
  it('writes one plain line at most every 2 seconds when stderr is not a terminal, plus a final line', () => {
    const f = fake(false);
    const p = new ProgressReporter({ stream: f.stream, label: 'records.csv', now: f.now });
    f.advance(1000);
    p.update({ done: 250, total: 1000, rows: 2000 }); // printed: the first report
    f.advance(1000);
    p.update({ done: 500, total: 1000, rows: 4000 }); // 1 s later: skipped
    f.advance(1500);
    p.update({ done: 700, total: 1000, rows: 7000, rejected: 3 }); // 2.5 s after the first: printed
    f.advance(500);
    p.finish({ done: 1000, total: 1000, rows: 8000, rejected: 3 });
    p.update({ done: 1000, total: 1000, rows: 9999 }); // after finish: ignored
    expect(f.out).toEqual([
      'records.csv 25%  2,000 rows  2,000 rows/s  ETA 0:03\n',
      'records.csv 70%  7,000 rows, 3 rejected  2,000 rows/s  ETA 0:02\n',
      'records.csv done 100%  8,000 rows, 3 rejected  2,000 rows/s  in 0:04\n',
    ]);
  });

  it('redraws a bar in place with \\r on a terminal and ends it with a newline', () => {
    const f = fake(true);
    const p = new ProgressReporter({ stream: f.stream, now: f.now });
    f.advance(2000);
    p.update({ done: 50, total: 100, rows: 1000 });
    f.advance(50);
    p.update({ done: 60, total: 100, rows: 1200 }); // within 100 ms: not redrawn
    f.advance(2000);
    p.finish({ done: 100, total: 100, rows: 2000 });
    expect(f.out).toHaveLength(2);
    expect(f.out[0]).toMatch(/^\r\[#{15}\.{15}\]  50%  1,000 rows  500 rows\/s  ETA 0:02\x1b\[K$/);
    expect(f.out[1]).toMatch(/^\r\[#{30}\] 100%  2,000 rows  494 rows\/s  in 0:04\x1b\[K\n$/);
  });

  it('abort ends a terminal bar without a final line', () => {
    const f = fake(true);
    const p = new ProgressReporter({ stream: f.stream, now: f.now });
    p.update({ done: 1, total: 2, rows: 1 });
    p.abort();
    p.finish();
    expect(f.out.at(-1)).toBe('\n');
    expect(f.out).toHaveLength(2);
  });

  it('formats durations', () => {
    expect([duration(0), duration(75), duration(3725)]).toEqual(['0:00', '1:15', '1:02:05']);
  });
});
