import { describe, expect, it } from 'vitest';
import { UDI_ERROR_CODES, parseUdi } from '../../src/udi/index.js';

const SEEDS = [
  '(01)08023279277098(17)221231(10)1234AB(21)12345XYZ(11)010101',
  ']d20108023279277098172212311012345AB\u001d2112345XYZ',
  '+A99912345/$$52001510X3/16D20111212/S77DEFG457',
  '+J123AQ3451T+25330BC34567T2+S4012TJ',
  '=/A9999XYZ100T0944=,000025=A99971312345600=>014032=}013032&,1000000000000XYZ123',
];
const ALPHABET = '0123456789ABCXYZabc()+/$=&,>}\u001d\\ ]%*-._';

/** Deterministic xorshift PRNG so failures are reproducible. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

describe('robustness', () => {
  it('never throws and reports known codes with positions inside the input, for mutated carriers', () => {
    const random = rng(20260115);
    for (let n = 0; n < 3000; n++) {
      const seed = SEEDS[n % SEEDS.length] ?? '';
      let s = seed;
      const edits = 1 + Math.floor(random() * 3);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(random() * (s.length + 1));
        const ch = ALPHABET.charAt(Math.floor(random() * ALPHABET.length));
        const op = random();
        s = op < 0.4 ? s.slice(0, at) + ch + s.slice(at + 1) : op < 0.7 ? s.slice(0, at) + ch + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
      }
      const r = parseUdi(s, { referenceDate: new Date('2026-01-15T00:00:00Z') });
      if (!r.ok) {
        expect(UDI_ERROR_CODES).toContain(r.error.code);
        expect(r.error.position).toBeGreaterThanOrEqual(0);
        expect(r.error.position).toBeLessThanOrEqual(s.length);
      } else {
        for (const e of r.value.elements) expect(e.position).toBeLessThan(s.length);
      }
    }
  });
});
