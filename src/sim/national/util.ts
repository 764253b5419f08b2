// Small helpers of the national simulation: independent random sub-streams, day numbers and
// their date strings, cumulative weights, and pseudonyms computed from a patient number.

import { Random } from '../random.js';

/** 32-bit FNV-1a of a text, mixed with the seed. */
export function hash32(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return mix32(h);
}

export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** An independent stream per concern: adding a draw to one concern does not reshuffle the others. */
export function stream(seed: number, concern: string): Random {
  return new Random(hash32(seed, concern));
}

const DAY = 86_400_000;
export const dayOf = (iso: string): number => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY);

/** Date strings for a range of day numbers, computed once (a record needs several dates). */
export class DateTable {
  readonly #first: number;
  readonly #strings: string[];
  constructor(fromDay: number, toDay: number) {
    this.#first = fromDay;
    this.#strings = [];
    for (let d = fromDay; d <= toDay; d++) this.#strings.push(new Date(d * DAY).toISOString().slice(0, 10));
  }
  iso(day: number): string {
    const s = this.#strings[day - this.#first];
    return s ?? new Date(day * DAY).toISOString().slice(0, 10);
  }
}

/** Weighted choice by a cumulative table and binary search: O(log n) per draw. */
export class Cumulative<T> {
  readonly items: readonly T[];
  readonly #cum: Float64Array;
  readonly total: number;
  constructor(items: readonly T[], weights: readonly number[]) {
    this.items = items;
    this.#cum = new Float64Array(items.length);
    let s = 0;
    for (let i = 0; i < items.length; i++) this.#cum[i] = s += weights[i]!;
    this.total = s;
  }
  pick(rnd: Random): T {
    const r = rnd.next() * this.total;
    let lo = 0;
    let hi = this.#cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cum[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The TTP pseudonym of patient number `n` of a population: 22 characters. The first six encode a
 * bijective mix of n (mix32 is invertible), the seventh the population, so two patients never share
 * a pseudonym; the rest is filler derived from them.
 */
export function pseudonym(seed: number, population: number, n: number): string {
  const key = mix32((n ^ mix32(seed + population)) >>> 0);
  let s = 'sim1:';
  let k = key;
  for (let i = 0; i < 6; i++) {
    s += B62[k % 62];
    k = Math.floor(k / 62);
  }
  s += B62[population % 62];
  for (let i = 0; i < 15; i++) s += B62[mix32((key + Math.imul(i + 1, 0x9e3779b9)) >>> 0) % 62];
  return s;
}

/** A uniform number in [0, 1) from a patient number (for per-patient facts such as the date of death). */
export function unitOf(seed: number, population: number, n: number, salt: number): number {
  return mix32(mix32((seed ^ Math.imul(population + 7, 0x9e3779b1)) + n) ^ Math.imul(salt, 0xc2b2ae35)) / 4294967296;
}
