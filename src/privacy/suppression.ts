/**
 * Small-cell suppression for aggregates that leave the inspectorate (association reports, public
 * reports). Pure: no I/O, no imports.
 *
 * Model. A table of R rows × C columns with its margins is seen as an "extended" table of
 * (R + 1) × (C + 1) entries: inner cells at [i][j] (i < R, j < C), row totals at [i][C], column totals
 * at [R][j] and the grand total at [R][C]. Every line (row or column) of the extended table is one
 * linear equation: the inner entries of the line sum to its margin entry. An attacker knows every
 * published entry and all these equations.
 *
 * Exact disclosure. Put the row lines and column lines of the extended table as nodes of a bipartite
 * graph, and every unknown entry (suppressed or unpublished) as an edge between its row and its column.
 * The unknown values that agree with all published values differ from the true ones by a
 * zero-sum flow on that graph, so an unknown entry is exactly derivable from published values if and
 * only if its edge lies on no cycle, i.e. it is a bridge. A line with exactly one unknown entry makes
 * that entry a bridge (the classic "total minus the rest" disclosure), but bridges also arise across
 * several lines even when every line holds two or more unknowns; both are caught here.
 *
 * Algorithm.
 *  1. Primary: every entry with 0 < value < threshold, inner cell or margin, is sensitive. Published
 *     sensitive entries are suppressed with reason `primary`. Zeros are not primary-suppressed.
 *     Margins the caller does not publish are `unpublished` (still sensitive if small).
 *  2. Secondary: while some sensitive unknown entry is a bridge, take the first one (row-major over
 *     the extended table) and find the cheapest path in the complete bipartite graph from its row to
 *     its column not using its own edge: unknown entries cost nothing, a published entry costs its
 *     value (ties: fewer new suppressions, then lowest index). A zero costs more than any path of
 *     non-zero entries, so a zero is chosen only if no other complement exists (which never happens
 *     in a table with consistent margins, since the margins of a line holding a positive count are
 *     positive). Every published entry on the path is suppressed with reason `secondary`; the path
 *     closes a cycle through the sensitive entry, so it stops being derivable. Suppressing more never
 *     turns a non-bridge into a bridge, and each round suppresses at least one entry, so this ends.
 *
 * Consequence: every row and every column (margins included) that holds a suppressed entry holds at
 * least two unknown entries, and no sensitive entry equals a published total minus published cells,
 * however many equations are combined. Interval disclosure (bounds on a hidden value, e.g. "between
 * 1 and 3") is NOT audited or prevented.
 */

export type SuppressionReason = 'primary' | 'secondary' | 'unpublished';

/** One entry of a suppressed table: either the published value, or null with the reason. */
export type SuppressedEntry =
  | { readonly value: number; readonly reason: null }
  | { readonly value: null; readonly reason: SuppressionReason };

export interface CountTable {
  readonly cells: readonly (readonly number[])[];
  /** Optional; when given, must equal the sums of the cells. */
  readonly rowTotals?: readonly number[];
  readonly columnTotals?: readonly number[];
  readonly grandTotal?: number;
}

export interface PublishedMargins {
  readonly rowTotals?: boolean;
  readonly columnTotals?: boolean;
  readonly grandTotal?: boolean;
}

export interface SuppressionOptions {
  /** Counts with 0 < count < threshold are suppressed. Integer ≥ 1, default 10. */
  readonly threshold?: number;
  /** Which margins are published; default all. */
  readonly publish?: PublishedMargins;
}

export interface SuppressedTable {
  readonly threshold: number;
  readonly cells: SuppressedEntry[][];
  readonly rowTotals: SuppressedEntry[];
  readonly columnTotals: SuppressedEntry[];
  readonly grandTotal: SuppressedEntry;
}

export interface CountList {
  readonly cells: readonly number[];
  /** Optional; when given, must equal the sum of the cells. */
  readonly total?: number;
}

export interface ListSuppressionOptions {
  readonly threshold?: number;
  /** Whether the total is published; default true. */
  readonly publishTotal?: boolean;
}

export interface SuppressedList {
  readonly threshold: number;
  readonly cells: SuppressedEntry[];
  readonly total: SuppressedEntry;
}

export const DEFAULT_SUPPRESSION_THRESHOLD = 10;

export class SuppressionInputError extends Error {
  readonly code = 'SUPPRESSION_INPUT';
  constructor(
    message: string,
    readonly where: string,
  ) {
    super(message);
    this.name = 'SuppressionInputError';
  }
}

type Status = 'published' | SuppressionReason;

/** Position in the extended table: row R means the column-totals row, column C the row-totals column. */
export interface EntryPosition {
  readonly row: number;
  readonly column: number;
}

function checkCount(value: number, where: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new SuppressionInputError(`${where} must be a non-negative integer count, got ${String(value)}`, where);
  }
}

function checkThreshold(threshold: number): void {
  if (!Number.isSafeInteger(threshold) || threshold < 1) {
    throw new SuppressionInputError(`threshold must be an integer ≥ 1, got ${String(threshold)}`, 'threshold');
  }
}

function at<T>(array: readonly T[], index: number): T {
  const value = array[index];
  if (value === undefined) throw new Error(`internal: index ${index} out of range`);
  return value;
}

/** Builds the extended (R+1)×(C+1) value matrix, validating the input. */
function extend(table: CountTable): { R: number; C: number; values: number[][] } {
  const R = table.cells.length;
  if (R === 0) throw new SuppressionInputError('a table needs at least one row', 'cells');
  const C = at(table.cells, 0).length;
  if (C === 0) throw new SuppressionInputError('a table needs at least one column', 'cells[0]');
  const values: number[][] = [];
  const colSums = new Array<number>(C + 1).fill(0);
  for (let i = 0; i < R; i++) {
    const row = at(table.cells, i);
    if (row.length !== C) {
      throw new SuppressionInputError(`row ${i} has ${row.length} cells, expected ${C}`, `cells[${i}]`);
    }
    let sum = 0;
    const out: number[] = [];
    for (let j = 0; j < C; j++) {
      const v = at(row, j);
      checkCount(v, `cells[${i}][${j}]`);
      out.push(v);
      sum += v;
      colSums[j] = at(colSums, j) + v;
    }
    out.push(sum);
    colSums[C] = at(colSums, C) + sum;
    values.push(out);
  }
  values.push(colSums);
  if (table.rowTotals !== undefined) {
    if (table.rowTotals.length !== R) {
      throw new SuppressionInputError(`rowTotals has ${table.rowTotals.length} entries, expected ${R}`, 'rowTotals');
    }
    table.rowTotals.forEach((t, i) => {
      if (t !== at(at(values, i), C)) {
        throw new SuppressionInputError(`rowTotals[${i}] is ${t} but the row sums to ${at(at(values, i), C)}`, `rowTotals[${i}]`);
      }
    });
  }
  if (table.columnTotals !== undefined) {
    if (table.columnTotals.length !== C) {
      throw new SuppressionInputError(`columnTotals has ${table.columnTotals.length} entries, expected ${C}`, 'columnTotals');
    }
    table.columnTotals.forEach((t, j) => {
      if (t !== at(colSums, j)) {
        throw new SuppressionInputError(`columnTotals[${j}] is ${t} but the column sums to ${at(colSums, j)}`, `columnTotals[${j}]`);
      }
    });
  }
  if (table.grandTotal !== undefined && table.grandTotal !== at(colSums, C)) {
    throw new SuppressionInputError(`grandTotal is ${table.grandTotal} but the cells sum to ${at(colSums, C)}`, 'grandTotal');
  }
  return { R, C, values };
}

/**
 * Bridges of the bipartite graph whose nodes are the R+1 row lines (ids 0..R) and C+1 column lines
 * (ids R+1..R+1+C) and whose edges are the unknown entries. Returns the set of edge ids
 * (row * (C + 1) + column) that are bridges, i.e. the unknown entries that are exactly derivable.
 */
function bridges(R: number, C: number, unknown: readonly boolean[]): Set<number> {
  const n = R + 1 + (C + 1);
  const adjacency: { to: number; edge: number }[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i <= R; i++) {
    for (let j = 0; j <= C; j++) {
      const e = i * (C + 1) + j;
      if (!at(unknown, e)) continue;
      const a = i;
      const b = R + 1 + j;
      at(adjacency, a).push({ to: b, edge: e });
      at(adjacency, b).push({ to: a, edge: e });
    }
  }
  const order = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const result = new Set<number>();
  let counter = 0;
  const visit = (node: number, viaEdge: number): void => {
    order[node] = counter;
    low[node] = counter;
    counter++;
    for (const { to, edge } of at(adjacency, node)) {
      if (edge === viaEdge) continue;
      if (at(order, to) === -1) {
        visit(to, edge);
        low[node] = Math.min(at(low, node), at(low, to));
        if (at(low, to) > at(order, node)) result.add(edge);
      } else {
        low[node] = Math.min(at(low, node), at(order, to));
      }
    }
  };
  for (let v = 0; v < n; v++) if (at(order, v) === -1) visit(v, -1);
  return result;
}

/**
 * Cheapest path from row node `fromRow` to column node `toColumn` in the complete bipartite graph
 * of the extended table, not using the entry (fromRow, toColumn) itself. Returns the edge ids.
 */
function cheapestCycleCompletion(
  R: number,
  C: number,
  values: readonly number[],
  unknown: readonly boolean[],
  fromRow: number,
  toColumn: number,
  zeroCost: number,
): number[] {
  const n = R + 1 + (C + 1);
  const excluded = fromRow * (C + 1) + toColumn;
  const costOf = (e: number): [number, number] => {
    if (at(unknown, e)) return [0, 0];
    const v = at(values, e);
    return v === 0 ? [zeroCost, 1] : [v, 1];
  };
  const distValue = new Array<number>(n).fill(Infinity);
  const distCount = new Array<number>(n).fill(Infinity);
  const previousEdge = new Array<number>(n).fill(-1);
  const previousNode = new Array<number>(n).fill(-1);
  const done = new Array<boolean>(n).fill(false);
  distValue[fromRow] = 0;
  distCount[fromRow] = 0;
  const target = R + 1 + toColumn;
  for (;;) {
    let u = -1;
    for (let v = 0; v < n; v++) {
      if (at(done, v) || at(distValue, v) === Infinity) continue;
      if (
        u === -1 ||
        at(distValue, v) < at(distValue, u) ||
        (at(distValue, v) === at(distValue, u) && at(distCount, v) < at(distCount, u))
      ) {
        u = v;
      }
    }
    if (u === -1) break;
    done[u] = true;
    if (u === target) break;
    const isRow = u <= R;
    const limit = isRow ? C + 1 : R + 1;
    for (let k = 0; k < limit; k++) {
      const e = isRow ? u * (C + 1) + k : k * (C + 1) + (u - R - 1);
      if (e === excluded) continue;
      const to = isRow ? R + 1 + k : k;
      if (at(done, to)) continue;
      const [cv, cc] = costOf(e);
      const nv = at(distValue, u) + cv;
      const nc = at(distCount, u) + cc;
      if (nv < at(distValue, to) || (nv === at(distValue, to) && nc < at(distCount, to))) {
        distValue[to] = nv;
        distCount[to] = nc;
        previousEdge[to] = e;
        previousNode[to] = u;
      }
    }
  }
  if (at(distValue, target) === Infinity) throw new Error('internal: no complement path');
  const path: number[] = [];
  for (let v = target; v !== fromRow; v = at(previousNode, v)) path.push(at(previousEdge, v));
  return path;
}

function entryOf(value: number, status: Status): SuppressedEntry {
  return status === 'published' ? { value, reason: null } : { value: null, reason: status };
}

/** Suppresses small counts in a two-way table with (some of) its margins. */
export function suppressTable(table: CountTable, options: SuppressionOptions = {}): SuppressedTable {
  const threshold = options.threshold ?? DEFAULT_SUPPRESSION_THRESHOLD;
  checkThreshold(threshold);
  const publish = {
    rowTotals: options.publish?.rowTotals ?? true,
    columnTotals: options.publish?.columnTotals ?? true,
    grandTotal: options.publish?.grandTotal ?? true,
  };
  const { R, C, values: matrix } = extend(table);
  const W = C + 1;
  const values = matrix.flat();
  const status: Status[] = [];
  const sensitive: boolean[] = [];
  for (let i = 0; i <= R; i++) {
    for (let j = 0; j <= C; j++) {
      const v = at(values, i * W + j);
      const small = v > 0 && v < threshold;
      sensitive.push(small);
      const published =
        i < R && j < C ? true : i < R ? publish.rowTotals : j < C ? publish.columnTotals : publish.grandTotal;
      status.push(!published ? 'unpublished' : small ? 'primary' : 'published');
    }
  }
  const zeroCost = 4 * at(values, R * W + C) + 1;
  for (;;) {
    const unknown = status.map((s) => s !== 'published');
    const derivable = bridges(R, C, unknown);
    let target = -1;
    for (let e = 0; e < values.length; e++) {
      if (at(sensitive, e) && derivable.has(e)) {
        target = e;
        break;
      }
    }
    if (target === -1) break;
    const path = cheapestCycleCompletion(R, C, values, unknown, Math.floor(target / W), target % W, zeroCost);
    for (const e of path) if (at(status, e) === 'published') status[e] = 'secondary';
  }
  const entry = (i: number, j: number): SuppressedEntry => entryOf(at(values, i * W + j), at(status, i * W + j));
  const cells: SuppressedEntry[][] = [];
  for (let i = 0; i < R; i++) {
    const row: SuppressedEntry[] = [];
    for (let j = 0; j < C; j++) row.push(entry(i, j));
    cells.push(row);
  }
  return {
    threshold,
    cells,
    rowTotals: Array.from({ length: R }, (_, i) => entry(i, C)),
    columnTotals: Array.from({ length: C }, (_, j) => entry(R, j)),
    grandTotal: entry(R, C),
  };
}

/**
 * Suppresses small counts in a one-way list with its total. Internally a 1 × n table whose column
 * totals and grand total are not published (they would repeat the cells and the total).
 */
export function suppressList(list: CountList, options: ListSuppressionOptions = {}): SuppressedList {
  if (list.cells.length === 0) throw new SuppressionInputError('a list needs at least one cell', 'cells');
  const result = suppressTable(
    { cells: [list.cells], ...(list.total === undefined ? {} : { rowTotals: [list.total] }) },
    {
      ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
      publish: { rowTotals: options.publishTotal ?? true, columnTotals: false, grandTotal: false },
    },
  );
  return { threshold: result.threshold, cells: at(result.cells, 0), total: at(result.rowTotals, 0) };
}

/** The extended-table view of a suppressed table: (R+1)×(C+1) entries, margins last. */
export function extendedEntries(result: SuppressedTable): SuppressedEntry[][] {
  const rows = result.cells.map((row, i) => [...row, at(result.rowTotals, i)]);
  rows.push([...result.columnTotals, result.grandTotal]);
  return rows;
}

/**
 * Positions (in the extended table) of the unknown entries that can be computed exactly from the
 * published entries by the row and column equations. Depends only on which entries are unknown.
 * After `suppressTable`, this contains no primary or secondary entry, and no sensitive unpublished
 * margin; it may contain unpublished margins that are not sensitive (e.g. an unpublished row total
 * whose row is fully published).
 */
export function derivableEntries(result: SuppressedTable): EntryPosition[] {
  const grid = extendedEntries(result);
  const R = grid.length - 1;
  const C = at(grid, 0).length - 1;
  const unknown = grid.flatMap((row) => row.map((e) => e.value === null));
  const found = bridges(R, C, unknown);
  return [...found].sort((a, b) => a - b).map((e) => ({ row: Math.floor(e / (C + 1)), column: e % (C + 1) }));
}
