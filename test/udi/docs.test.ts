/**
 * docs/udi.md stays true: every error and warning code has a row, and every example in the
 * tables produces exactly that code when parsed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UDI_ERROR_CODES, UDI_WARNING_CODES, parseUdiGroup } from '../../src/udi/index.js';

const DOC = readFileSync(new URL('../../docs/udi.md', import.meta.url), 'utf8');
const REF = { referenceDate: new Date('2026-01-15T00:00:00Z') };

interface Row {
  code: string;
  examples: string[];
  typed: boolean;
}

function table(heading: string): Row[] {
  const start = DOC.indexOf(`## ${heading}\n`);
  expect(start, `section ${heading}`).toBeGreaterThanOrEqual(0);
  const end = DOC.indexOf('\n## ', start + 4);
  const rows: Row[] = [];
  for (const line of DOC.slice(start, end === -1 ? undefined : end).split('\n')) {
    const cells = line.split(' | ');
    const m = /^\| `([A-Z0-9_]+)`$/.exec(cells[0] ?? '');
    if (!m?.[1] || cells.length < 3) continue;
    const examples = [...(cells[1] ?? '').matchAll(/`([^`]*)`/g)].map((x) => (x[1] ?? '').replaceAll('<GS>', '\u001d'));
    rows.push({ code: m[1], examples, typed: (cells[1] ?? '').includes('(typed)') });
  }
  return rows;
}

describe('docs/udi.md', () => {
  it('lists every error code once, with an example that produces it', () => {
    const rows = table('Errors');
    expect(rows.map((r) => r.code).sort()).toEqual([...UDI_ERROR_CODES].sort());
    for (const row of rows) {
      const r = parseUdiGroup(row.examples, { ...REF, typed: row.typed });
      expect(r.ok ? 'ok' : r.error.code, `${row.code}: ${JSON.stringify(row.examples)}`).toBe(row.code);
    }
  });

  it('lists every warning code once, with an example that produces it', () => {
    const rows = table('Warnings');
    expect(rows.map((r) => r.code).sort()).toEqual([...UDI_WARNING_CODES].sort());
    for (const row of rows) {
      const r = parseUdiGroup(row.examples, { ...REF, typed: row.typed });
      if (!r.ok) throw new Error(`${row.code}: ${JSON.stringify(row.examples)} → ${r.error.code}`);
      expect(r.value.warnings.map((w) => w.split(':')[0]), row.code).toContain(row.code);
    }
  });

  it('the parser emits no warning code that is not listed', () => {
    const dir = new URL('../../src/udi/', import.meta.url);
    const emitted = new Set<string>();
    for (const file of readdirSync(dir)) {
      for (const m of readFileSync(new URL(file, dir), 'utf8').matchAll(/['`]([A-Z][A-Z0-9]*_[A-Z0-9_]+): /g)) emitted.add(m[1] ?? '');
    }
    expect([...emitted].sort()).toEqual([...UDI_WARNING_CODES].sort());
  });
});
