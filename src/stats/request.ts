// Reading a method's JSON request: each field checked, and a refusal that names the field by its
// JSON pointer, so `lir stats` can say what and where. Pure.

export class StatsInputError extends Error {
  readonly code = 'INVALID_REQUEST';
  constructor(
    message: string,
    /** JSON pointer of the offending field ('' for the whole request). */
    readonly pointer: string,
  ) {
    super(message);
  }
}

export type Json = Record<string, unknown>;

/** One `lir stats <method>`: validates the request, computes, returns a JSON-serialisable result. */
export type StatsMethod = (request: Json) => unknown;

export function object(value: unknown, pointer = ''): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new StatsInputError('the request must be a JSON object', pointer);
  return value as Json;
}

function describe(v: unknown): string {
  return v === undefined ? 'missing' : Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v;
}

export function number(req: Json, field: string, opts: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean; optional?: false }): number;
export function number(req: Json, field: string, opts: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean; optional: true }): number | undefined;
export function number(req: Json, field: string, opts: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean; optional?: boolean } = {}): number | undefined {
  const v = req[field];
  if (v === undefined && opts.optional) return undefined;
  return checkNumber(v, `/${field}`, field, opts);
}

export function checkNumber(v: unknown, pointer: string, name: string, opts: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new StatsInputError(`${name} must be a finite number, not ${describe(v)}`, pointer);
  if (opts.integer && !Number.isSafeInteger(v)) throw new StatsInputError(`${name} must be a whole number`, pointer);
  if (opts.min !== undefined && (opts.exclusiveMin ? v <= opts.min : v < opts.min)) throw new StatsInputError(`${name} must be ${opts.exclusiveMin ? 'greater than' : 'at least'} ${opts.min}`, pointer);
  if (opts.max !== undefined && v > opts.max) throw new StatsInputError(`${name} must be at most ${opts.max}`, pointer);
  return v;
}

/** A confidence level in (0, 1); default 0.95. */
export function level(req: Json, field = 'level'): number {
  const v = number(req, field, { optional: true, min: 0, exclusiveMin: true, max: 1 });
  if (v === 1) throw new StatsInputError(`${field} must be below 1 (e.g. 0.95)`, `/${field}`);
  return v ?? 0.95;
}

export function numberArray(req: Json, field: string, opts: { min?: number; max?: number; integer?: boolean; minLength?: number } = {}): number[] {
  const v = req[field];
  if (!Array.isArray(v)) throw new StatsInputError(`${field} must be an array of numbers, not ${describe(v)}`, `/${field}`);
  if (opts.minLength !== undefined && v.length < opts.minLength) throw new StatsInputError(`${field} needs at least ${opts.minLength} value${opts.minLength === 1 ? '' : 's'}`, `/${field}`);
  return v.map((x, i) => checkNumber(x, `/${field}/${i}`, `${field}[${i}]`, opts));
}

export function oneOf<T extends string>(req: Json, field: string, values: readonly T[], fallback?: T): T {
  const v = req[field];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new StatsInputError(`${field} must be one of ${values.map((x) => `"${x}"`).join(', ')}`, `/${field}`);
  return v as T;
}

/** Arrays that must have the same length as the first. */
export function sameLength(req: Json, first: string, ...others: string[]): void {
  const n = (req[first] as unknown[]).length;
  for (const f of others) {
    if ((req[f] as unknown[]).length !== n) throw new StatsInputError(`${f} must have as many values as ${first} (${n})`, `/${f}`);
  }
}
