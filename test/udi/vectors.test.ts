import { describe, expect, it } from 'vitest';
import { parseUdi, parseUdiGroup, type UdiParse } from '../../src/udi/index.js';
import { ALL_VECTORS, VECTOR_DATE, type UdiVector } from '../fixtures/udi/vectors.js';

function run(v: UdiVector): UdiParse {
  const opts = { referenceDate: VECTOR_DATE, ...v.opts };
  return typeof v.input === 'string' ? parseUdi(v.input, opts) : parseUdiGroup(v.input, opts);
}

const label = (v: UdiVector): string => `${JSON.stringify(v.input)} (${v.source})`;

for (const { group, vectors } of ALL_VECTORS) {
  describe(`test vectors: ${group}`, () => {
    it.each(vectors.map((v) => [label(v), v] as const))('%s', (_name, v) => {
      const r = run(v);
      if (v.error) {
        expect(r.ok, `expected ${v.error.code}`).toBe(false);
        if (r.ok) return;
        expect(r.error.code).toBe(v.error.code);
        if (v.error.position !== undefined) expect(r.error.position).toBe(v.error.position);
        if (v.error.input !== undefined) expect(r.error.input).toBe(v.error.input);
        return;
      }
      if (!r.ok) throw new Error(`expected success, got ${JSON.stringify(r.error)}`);
      const { warnings, noWarnings, elements, ...fields } = v.ok ?? {};
      expect(r.value).toMatchObject(fields);
      for (const code of warnings ?? []) expect(r.value.warnings.map((w) => w.split(':')[0])).toContain(code);
      if (noWarnings) expect(r.value.warnings).toEqual([]);
      for (const [id, value] of Object.entries(elements ?? {})) {
        expect(r.value.elements.find((e) => e.id === id)?.value, `element ${id}`).toBe(value);
      }
    });
  });
}

describe('test vector coverage', () => {
  it('has valid and invalid vectors from every source group', () => {
    for (const { vectors } of ALL_VECTORS) {
      expect(vectors.some((v) => v.ok)).toBe(true);
      expect(vectors.some((v) => v.error)).toBe(true);
      for (const v of vectors) expect(v.source.length).toBeGreaterThan(10);
    }
  });
});
