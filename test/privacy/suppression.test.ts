import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_SUPPRESSION_THRESHOLD,
  SuppressionInputError,
  derivableEntries,
  extendedEntries,
  suppressList,
  suppressTable,
  type SuppressedEntry,
  type SuppressedTable,
} from '../../src/privacy/suppression.js';

// Shorthand for expected entries, written by hand below.
const P: SuppressedEntry = { value: null, reason: 'primary' };
const S: SuppressedEntry = { value: null, reason: 'secondary' };
const U: SuppressedEntry = { value: null, reason: 'unpublished' };
const v = (value: number): SuppressedEntry => ({ value, reason: null });
const row = (...xs: (number | SuppressedEntry)[]): SuppressedEntry[] => xs.map((x) => (typeof x === 'number' ? v(x) : x));

/** The original extended table (R+1)×(C+1): cells, row totals last, column totals as last row. */
function extendedValues(cells: number[][]): number[][] {
  const C = cells[0]?.length ?? 0;
  const out = cells.map((r) => [...r, r.reduce((a, b) => a + b, 0)]);
  const totals = Array.from({ length: C + 1 }, (_, j) => out.reduce((a, r) => a + (r[j] ?? 0), 0));
  return [...out, totals];
}

/** The check the brief asks for: a line (row or column of the extended table) that holds a
 * suppressed entry holds at least two unknown entries (suppressed cells or a suppressed/unpublished
 * margin). */
function everyLineWithSuppressionHasTwoUnknowns(result: SuppressedTable): boolean {
  const grid = extendedEntries(result);
  const lines: SuppressedEntry[][] = [...grid];
  const width = grid[0]?.length ?? 0;
  for (let j = 0; j < width; j++) lines.push(grid.map((r) => r[j] as SuppressedEntry));
  return lines.every((line) => {
    const suppressed = line.filter((e) => e.reason === 'primary' || e.reason === 'secondary').length;
    const unknown = line.filter((e) => e.value === null).length;
    return suppressed === 0 || unknown >= 2;
  });
}

/**
 * Independent exact-disclosure check by linear algebra (not the graph argument of the module):
 * unknown entry k is derivable from the published values iff the unit vector e_k lies in the row
 * space of the line equations restricted to the unknowns. Returns the derivable positions.
 */
function linearlyDerivable(result: SuppressedTable): { row: number; column: number }[] {
  const grid = extendedEntries(result);
  const R = grid.length - 1;
  const C = (grid[0]?.length ?? 1) - 1;
  const unknowns: { row: number; column: number }[] = [];
  grid.forEach((r, i) => r.forEach((e, j) => { if (e.value === null) unknowns.push({ row: i, column: j }); }));
  const index = new Map(unknowns.map((p, k) => [p.row * (C + 1) + p.column, k]));
  const equations: number[][] = [];
  // row line i: sum of inner entries − margin entry = 0 (the totals row is a line too)
  for (let i = 0; i <= R; i++) {
    const eq = new Array<number>(unknowns.length).fill(0);
    for (let j = 0; j <= C; j++) {
      const k = index.get(i * (C + 1) + j);
      if (k !== undefined) eq[k] = j === C ? -1 : 1;
    }
    equations.push(eq);
  }
  for (let j = 0; j <= C; j++) {
    const eq = new Array<number>(unknowns.length).fill(0);
    for (let i = 0; i <= R; i++) {
      const k = index.get(i * (C + 1) + j);
      if (k !== undefined) eq[k] = i === R ? -1 : 1;
    }
    equations.push(eq);
  }
  const rank = (m: number[][]): number => {
    const a = m.map((r) => [...r]);
    let r = 0;
    const cols = a[0]?.length ?? 0;
    for (let c = 0; c < cols && r < a.length; c++) {
      let p = r;
      for (let i = r + 1; i < a.length; i++) if (Math.abs(a[i]![c]!) > Math.abs(a[p]![c]!)) p = i;
      if (Math.abs(a[p]![c]!) < 1e-9) continue;
      [a[r], a[p]] = [a[p]!, a[r]!];
      for (let i = 0; i < a.length; i++) {
        if (i === r) continue;
        const f = a[i]![c]! / a[r]![c]!;
        if (f !== 0) for (let k = c; k < cols; k++) a[i]![k]! -= f * a[r]![k]!;
      }
      r++;
    }
    return r;
  };
  const base = rank(equations);
  return unknowns.filter((_, k) => {
    const unit = new Array<number>(unknowns.length).fill(0);
    unit[k] = 1;
    return rank([...equations, unit]) === base;
  });
}

describe('hand-worked tables', () => {
  it('IUD expulsions per provider × year: one small cell gets three complements on the cheapest cycle', () => {
    //            2022 2023 2024 | total
    // provider A   12   15   20 |  47
    // provider B    3   14   18 |  35
    // provider C   13   16   25 |  54
    // total        28   45   63 | 136
    // 3 < 10 is primary. Cheapest cycle through B/2022: B/2023 (14) + A/2023 (15) + A/2022 (12) = 41,
    // cheaper than via C (14 + 16 + 13 = 43) or via any margin.
    const result = suppressTable({
      cells: [
        [12, 15, 20],
        [3, 14, 18],
        [13, 16, 25],
      ],
      rowTotals: [47, 35, 54],
      columnTotals: [28, 45, 63],
      grandTotal: 136,
    });
    expect(result.threshold).toBe(10);
    expect(result.cells).toEqual([row(S, S, 20), row(P, S, 18), row(13, 16, 25)]);
    expect(result.rowTotals).toEqual(row(47, 35, 54));
    expect(result.columnTotals).toEqual(row(28, 45, 63));
    expect(result.grandTotal).toEqual(v(136));
    expect(derivableEntries(result)).toEqual([]);
  });

  it('threshold 5 on a 2×2 table: the whole inner table goes, margins stay', () => {
    //       x   y | tot
    // a     4   6 | 10
    // b     7   8 | 15
    // tot  11  14 | 25
    // path a→y(6)→b(8)→x(7) costs 21; via margins it costs ≥ 31.
    const result = suppressTable({ cells: [[4, 6], [7, 8]] }, { threshold: 5 });
    expect(result.cells).toEqual([row(P, S), row(S, S)]);
    expect(result.rowTotals).toEqual(row(10, 15));
    expect(result.columnTotals).toEqual(row(11, 14));
    expect(result.grandTotal).toEqual(v(25));
  });

  it('threshold 3: a count of 3 is published, a count of 2 is not', () => {
    expect(suppressTable({ cells: [[12, 15, 20], [3, 14, 18], [13, 16, 25]] }, { threshold: 3 }).cells).toEqual([
      row(12, 15, 20),
      row(3, 14, 18),
      row(13, 16, 25),
    ]);
    const r = suppressList({ cells: [2, 30, 3, 40] }, { threshold: 3 });
    // 2 is primary; 3 is published on its own but, as the smallest other count, is the complement
    expect(r.cells).toEqual(row(P, 30, S, 40));
    expect(r.total).toEqual(v(75));
  });

  it('all cells small: cells and margins below the threshold go, a grand total of 10 stays', () => {
    // 1 2 | 3
    // 3 4 | 7
    // 4 6 | 10
    const result = suppressTable({ cells: [[1, 2], [3, 4]] });
    expect(result.cells).toEqual([row(P, P), row(P, P)]);
    expect(result.rowTotals).toEqual([P, P]);
    expect(result.columnTotals).toEqual([P, P]);
    expect(result.grandTotal).toEqual(v(10));
  });

  it('a 1×n table with all margins: the column totals repeat the cells, so they are suppressed alike', () => {
    // 4 20 30 | 54, column totals 4 20 30, grand 54
    const result = suppressTable({ cells: [[4, 20, 30]] });
    expect(result.cells).toEqual([row(P, S, 30)]);
    expect(result.columnTotals).toEqual(row(P, S, 30));
    expect(result.rowTotals).toEqual(row(54));
    expect(result.grandTotal).toEqual(v(54));
  });

  it('a row with one non-empty small cell: its row total is small too; the column needs a complement', () => {
    //  0  7  0 |   7
    // 20 30 40 |  90
    // 15 25 35 |  75
    // 35 62 75 | 172
    // The 7 and its row total 7 are primary. Column 2 then holds one unknown; the cheapest cycle
    // through the 7 runs row 0 → total column → row C total (75) → C/col 2 (25). Zeros are not used.
    const result = suppressTable({ cells: [[0, 7, 0], [20, 30, 40], [15, 25, 35]] });
    expect(result.cells).toEqual([row(0, P, 0), row(20, 30, 40), row(15, S, 35)]);
    expect(result.rowTotals).toEqual([P, v(90), S]);
    expect(result.columnTotals).toEqual(row(35, 62, 75));
    expect(result.grandTotal).toEqual(v(172));
  });

  it('zeros are never primary-suppressed', () => {
    const result = suppressTable({ cells: [[0, 20], [30, 0]] });
    expect(result.cells).toEqual([row(0, 20), row(30, 0)]);
  });

  it('a total below the threshold is suppressed even when its cells are zero or hidden', () => {
    const result = suppressTable({ cells: [[0, 0], [25, 30]] }, { threshold: 10 });
    expect(result.rowTotals).toEqual(row(0, 55)); // zero total is fine
    const small = suppressTable({ cells: [[4, 0], [25, 30]] });
    expect(small.rowTotals[0]).toEqual(P);
    expect(small.cells[0]).toEqual(row(P, 0));
    expect(derivableEntries(small)).toEqual([]);
  });

  it('only some margins published: no row totals → a single small cell per row is already safe in its row', () => {
    // 12  3 20 | (row totals not published)
    // 15 14 18 |
    // 27 17 38 | 82
    const result = suppressTable({ cells: [[12, 3, 20], [15, 14, 18]] }, { publish: { rowTotals: false } });
    expect(result.rowTotals).toEqual([U, U]);
    // column 1 holds the 3; its cheapest partner is the 14 below it, and row 1 is safe by its hidden total
    expect(result.cells).toEqual([row(12, P, 20), row(15, S, 18)]);
    expect(result.columnTotals).toEqual(row(27, 17, 38));
    expect(result.grandTotal).toEqual(v(82));
  });

  it('nothing published but the inner cells: each small cell still needs its row and column covered', () => {
    const result = suppressTable(
      { cells: [[12, 3], [15, 14]] },
      { publish: { rowTotals: false, columnTotals: false, grandTotal: false } },
    );
    // the hidden margins of row 1 and column 0 can be computed (27 and 29) but they are not small
    expect(result.cells).toEqual([row(12, P), row(15, 14)]);
    expect(derivableEntries(result)).toEqual([
      { row: 1, column: 2 },
      { row: 2, column: 0 },
    ]);
  });
});

describe('one-way lists', () => {
  it('one small count and a published total: the smallest other count is the complement', () => {
    const r = suppressList({ cells: [25, 4, 30, 12], total: 71 });
    expect(r.cells).toEqual(row(25, P, 30, S));
    expect(r.total).toEqual(v(71));
  });

  it('two small counts protect each other', () => {
    const r = suppressList({ cells: [25, 4, 30, 6] });
    expect(r.cells).toEqual(row(25, P, 30, P));
    expect(r.total).toEqual(v(65));
  });

  it('a small total: everything small goes, zeros stay', () => {
    const r = suppressList({ cells: [2, 3, 0] });
    expect(r.cells).toEqual(row(P, P, 0));
    expect(r.total).toEqual(P);
  });

  it('an unpublished total: no complement needed', () => {
    const r = suppressList({ cells: [25, 4, 30] }, { publishTotal: false });
    expect(r.cells).toEqual(row(25, P, 30));
    expect(r.total).toEqual(U);
  });

  it('one cell: the cell and the total are the same count', () => {
    expect(suppressList({ cells: [5] })).toEqual({ threshold: 10, cells: [P], total: P });
    expect(suppressList({ cells: [50] })).toEqual({ threshold: 10, cells: [v(50)], total: v(50) });
  });

  it('a threshold of 20', () => {
    const r = suppressList({ cells: [15, 40, 50, 19] }, { threshold: 20 });
    expect(r.cells).toEqual(row(P, 40, 50, P));
  });
});

describe('input checks', () => {
  it('refuses bad counts, shapes, totals and thresholds with a code and a place', () => {
    const bad = (f: () => unknown, where: string): void => {
      try {
        f();
        expect.unreachable('should have thrown');
      } catch (e) {
        expect(e).toBeInstanceOf(SuppressionInputError);
        expect((e as SuppressionInputError).code).toBe('SUPPRESSION_INPUT');
        expect((e as SuppressionInputError).where).toBe(where);
      }
    };
    bad(() => suppressTable({ cells: [] }), 'cells');
    bad(() => suppressTable({ cells: [[1, 2], [3]] }), 'cells[1]');
    bad(() => suppressTable({ cells: [[1, -2]] }), 'cells[0][1]');
    bad(() => suppressTable({ cells: [[1.5]] }), 'cells[0][0]');
    bad(() => suppressTable({ cells: [[1, 2]], rowTotals: [4] }), 'rowTotals[0]');
    bad(() => suppressTable({ cells: [[1, 2]], columnTotals: [1, 3] }), 'columnTotals[1]');
    bad(() => suppressTable({ cells: [[1, 2]], grandTotal: 4 }), 'grandTotal');
    bad(() => suppressTable({ cells: [[1]] }, { threshold: 0 }), 'threshold');
    bad(() => suppressList({ cells: [] }), 'cells');
    bad(() => suppressList({ cells: [1, 2], total: 4 }), 'rowTotals[0]');
    expect(DEFAULT_SUPPRESSION_THRESHOLD).toBe(10);
  });
});

describe('the derivation audit', () => {
  it('catches a bridge that the per-line "two unknowns" rule misses', () => {
    // Two 2×2 blocks of hidden cells joined by one hidden cell (row 1, column 2). Every row and column
    // holds 0 or ≥ 2 hidden cells, yet rows 0+1 minus columns 0+1 give the joining cell exactly.
    const cells = [
      [11, 12, 30, 31],
      [13, 14, 15, 32],
      [33, 34, 16, 17],
      [35, 36, 18, 19],
    ];
    const hidden = new Set(['0,0', '0,1', '1,0', '1,1', '1,2', '2,2', '2,3', '3,2', '3,3']);
    const ext = extendedValues(cells);
    const pattern: SuppressedTable = {
      threshold: 10,
      cells: cells.map((r, i) => r.map((x, j) => (hidden.has(`${i},${j}`) ? S : v(x)))),
      rowTotals: cells.map((_, i) => v(ext[i]![4]!)),
      columnTotals: [0, 1, 2, 3].map((j) => v(ext[4]![j]!)),
      grandTotal: v(ext[4]![4]!),
    };
    expect(everyLineWithSuppressionHasTwoUnknowns(pattern)).toBe(true);
    expect(derivableEntries(pattern)).toEqual([{ row: 1, column: 2 }]);
    expect(linearlyDerivable(pattern)).toEqual([{ row: 1, column: 2 }]);
  });
});

// ---- property-based tests ----

interface Case {
  cells: number[][];
  threshold: number;
  publish: { rowTotals: boolean; columnTotals: boolean; grandTotal: boolean };
}

const count = (threshold: number): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: Math.max(1, threshold - 1) }) },
    { weight: 5, arbitrary: fc.integer({ min: threshold, max: threshold * 6 }) },
  );

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    rows: fc.integer({ min: 1, max: 5 }),
    columns: fc.integer({ min: 1, max: 5 }),
    threshold: fc.integer({ min: 2, max: 15 }),
    publish: fc.record({ rowTotals: fc.boolean(), columnTotals: fc.boolean(), grandTotal: fc.boolean() }),
  })
  .chain(({ rows, columns, threshold, publish }) =>
    fc
      .array(fc.array(count(threshold), { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows })
      .map((cells) => ({ cells, threshold, publish })),
  );

describe('properties on random tables', () => {
  it('publishes no count in 1..threshold-1, and publishes every other value unchanged', () => {
    fc.assert(
      fc.property(caseArb, ({ cells, threshold, publish }) => {
        const result = suppressTable({ cells }, { threshold, publish });
        const original = extendedValues(cells);
        extendedEntries(result).forEach((r, i) =>
          r.forEach((e, j) => {
            const x = original[i]![j]!;
            if (e.value !== null) {
              expect(e.value).toBe(x);
              expect(x === 0 || x >= threshold).toBe(true);
            } else if (e.reason === 'primary') {
              expect(x > 0 && x < threshold).toBe(true);
            }
          }),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('every row and column holding a suppressed entry holds ≥ 2 unknowns, and no small count is derivable', () => {
    fc.assert(
      fc.property(caseArb, ({ cells, threshold, publish }) => {
        const result = suppressTable({ cells }, { threshold, publish });
        expect(everyLineWithSuppressionHasTwoUnknowns(result)).toBe(true);
        const original = extendedValues(cells);
        const derivable = linearlyDerivable(result);
        // the module's graph audit agrees with linear algebra
        expect(derivableEntries(result)).toEqual(derivable);
        for (const p of derivable) {
          const x = original[p.row]![p.column]!;
          // only a non-sensitive unpublished margin may be derivable
          expect(x === 0 || x >= threshold).toBe(true);
          expect(extendedEntries(result)[p.row]![p.column]!.reason).toBe('unpublished');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('suppresses nothing when no count is small', () => {
    const big = (t: number): fc.Arbitrary<number> =>
      fc.oneof(fc.constant(0), fc.integer({ min: t, max: t * 10 }));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }).chain((t) =>
          fc.record({
            t: fc.constant(t),
            cells: fc.integer({ min: 1, max: 6 }).chain((c) =>
              fc.array(fc.array(big(t), { minLength: c, maxLength: c }), { minLength: 1, maxLength: 6 }),
            ),
          }),
        ),
        ({ t, cells }) => {
          const result = suppressTable({ cells }, { threshold: t });
          expect(extendedEntries(result).flat().every((e) => e.value !== null)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is deterministic and does not depend on the given totals being present', () => {
    fc.assert(
      fc.property(caseArb, ({ cells, threshold, publish }) => {
        const ext = extendedValues(cells);
        const a = suppressTable({ cells }, { threshold, publish });
        const b = suppressTable(
          {
            cells: cells.map((r) => [...r]),
            rowTotals: cells.map((_, i) => ext[i]![cells[0]!.length]!),
            columnTotals: ext[cells.length]!.slice(0, -1),
            grandTotal: ext[cells.length]![cells[0]!.length]!,
          },
          { threshold, publish },
        );
        expect(b).toEqual(a);
        expect(suppressTable({ cells }, { threshold, publish })).toEqual(a);
      }),
      { numRuns: 150 },
    );
  });

  it('one-way lists: no small published count, no derivable small count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 15 }).chain((t) =>
          fc.record({ t: fc.constant(t), cells: fc.array(count(t), { minLength: 1, maxLength: 8 }), pub: fc.boolean() }),
        ),
        ({ t, cells, pub }) => {
          const r = suppressList({ cells }, { threshold: t, publishTotal: pub });
          const total = cells.reduce((a, b) => a + b, 0);
          const shown = [...r.cells, r.total];
          [...cells, total].forEach((x, k) => {
            const e = shown[k]!;
            if (e.value !== null) expect(x === 0 || x >= t).toBe(true);
          });
          // within the list: if the total is published, zero or ≥ 2 cells are hidden
          if (r.total.value !== null) expect(r.cells.filter((e) => e.value === null).length).not.toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
