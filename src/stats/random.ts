// A small seeded pseudo-random generator for reproducible simulation (control limits, run lengths).
// Same seed, same numbers, on every platform: an alert threshold must be reproducible by an
// inspector. R's Mersenne Twister cannot be matched bit for bit (nor need it be), so simulated
// quantities are compared with R within their Monte Carlo error, never exactly. Pure.

/** A stream of pseudo-random numbers. */
export interface Random {
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform on [0, 1) with 53 random bits (like R's `runif`, not bit-identical). */
  nextFloat(): number;
  /** 1 with probability p, else 0. */
  bernoulli(p: number): 0 | 1;
}

/**
 * splitmix32 (a 32-bit variant of Steele, Lea & Flood's SplitMix, 2014): expands one seed into
 * well-mixed state words, so nearby seeds (1, 2, 3) give unrelated streams.
 */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * xoshiro128** 1.1 (Blackman & Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS
 * 2021): 128-bit state, period 2^128 − 1, passes BigCrush; 32-bit integer operations only, so no
 * BigInt and fast in JavaScript. The state is seeded with splitmix32 from `seed` (any integer;
 * taken modulo 2^32).
 */
export function createRandom(seed: number): Random {
  const mix = splitmix32(Math.trunc(seed));
  return randomFromState([mix(), mix(), mix(), mix()]);
}

/** xoshiro128** from an explicit 128-bit state (four 32-bit words); exposed to test it against the reference C code. */
export function randomFromState(state: readonly [number, number, number, number]): Random {
  let [a, b, c, d] = state.map((w) => w >>> 0) as [number, number, number, number];
  if ((a | b | c | d) === 0) a = 1; // the all-zero state is a fixed point
  const nextUint32 = (): number => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r;
  };
  const nextFloat = (): number => {
    // 27 + 26 bits, as in the reference genrand_res53
    const hi = nextUint32() >>> 5;
    const lo = nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  return { nextUint32, nextFloat, bernoulli: (p) => (nextFloat() < p ? 1 : 0) };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
