// The depth check runs on every JSON body before JSON.parse, so it must agree with the structure
// JSON.parse builds: brackets inside strings, escaped quotes and backslash runs included.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDepth } from '../../src/http/plugins/json-depth.js';

/** Nesting depth of a parsed value: objects and arrays count one level each. */
function parsedDepth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + children.reduce<number>((m, c) => Math.max(m, parsedDepth(c)), 0);
}

describe('jsonDepth', () => {
  it('agrees with JSON.parse on generated JSON, strings full of brackets, quotes and backslashes', () => {
    const tricky = fc.string({ unit: fc.constantFrom('"', '\\', '[', ']', '{', '}', 'a', ' ') });
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.constant(null), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(tricky, tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(fc.property(value, (v) => {
      const text = JSON.stringify(v);
      expect(jsonDepth(text)).toBe(parsedDepth(JSON.parse(text)));
    }), { numRuns: 2000 });
  });

  it('handles escaped quotes at the end of strings, and stops early at the limit', () => {
    expect(jsonDepth('{"a":"x\\\\"}')).toBe(1); // "x\\" ends after two backslashes
    expect(jsonDepth('{"a":"x\\"]]}"}')).toBe(1); // the quote is escaped: ]] are inside the string
    expect(jsonDepth('[[[["\\\\\\"[[["]]]]')).toBe(4);
    expect(jsonDepth('['.repeat(100) + ']'.repeat(100), 32)).toBe(33);
    expect(jsonDepth('{"a":"never closed')).toBe(1);
  });
});
