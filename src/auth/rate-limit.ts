// Token buckets in process memory, one per key (an OAuth client, a legacy bearer token, a caller of
// the token endpoint). A bucket holds up to `perMinute` requests and refills at perMinute/60 per
// second, so a client may burst up to a minute's allowance and then goes at its steady rate.
//
// One process, one set of buckets: behind a load balancer with N processes a client gets up to N
// times its rate. A multi-process deployment needs a shared limiter (at the proxy, or a store such
// as Redis) — see docs/oauth.md.

export type RateDecision = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updated: number;
  perMinute: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly opts: { maxKeys?: number; now?: () => number } = {},
  ) {}

  #now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /** Takes one request from the bucket of `key`; refuses with the seconds until one is available. */
  take(key: string, perMinute: number): RateDecision {
    const now = this.#now();
    const capacity = Math.max(1, perMinute);
    const perMs = capacity / 60_000;
    let b = this.#buckets.get(key);
    if (!b) {
      this.#makeRoom(now);
      b = { tokens: capacity, updated: now, perMinute: capacity };
      this.#buckets.set(key, b);
    } else {
      b.tokens = Math.min(capacity, b.tokens + Math.max(0, now - b.updated) * perMs);
      b.updated = now;
      b.perMinute = capacity;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true, remaining: Math.floor(b.tokens) };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)) };
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Keeps memory bounded: full buckets carry no state and go first; the oldest go if that is not enough. */
  #makeRoom(now: number): void {
    const max = this.opts.maxKeys ?? 100_000;
    if (this.#buckets.size < max) return;
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.updated) * (b.perMinute / 60_000) >= b.perMinute) this.#buckets.delete(key);
    }
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size < max) break;
      this.#buckets.delete(key);
    }
  }
}
