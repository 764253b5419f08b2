// Checking untrusted input for certificates and recalls (REST bodies, NDJSON lines, CSV rows):
// every problem gets a code, a message a person can act on, and a JSON pointer.

import { isValidIsoDate } from '../domain/dates.js';
import { isValidGtin } from '../udi/index.js';

export interface InputIssue {
  code: string;
  message: string;
  /** JSON pointer into the input. */
  path: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: InputIssue[] };

/** Input that breaks a rule only the stored data can tell (e.g. a status before the certificate's start). */
export class InvalidInput extends Error {
  readonly code = 'INVALID_INPUT';
  constructor(readonly errors: InputIssue[]) {
    super(errors.map((e) => `${e.path || 'input'}: ${e.message}`).join('; '));
  }
}

/** The thing exists already (REST creates; files merge). */
export class AlreadyExists extends Error {
  constructor(
    readonly code: 'CERTIFICATE_EXISTS' | 'RECALL_EXISTS',
    message: string,
    readonly id: string,
  ) {
    super(message);
  }
}

export class NotFound extends Error {
  readonly code = 'NOT_FOUND';
}

export const UDI_DI_PATTERN = /^[A-Za-z0-9+$/.:_-]{1,60}$/;

/** Reads the fields of one JSON object, collecting issues under `base`. */
export class FieldReader {
  constructor(
    readonly obj: Record<string, unknown>,
    readonly base: string,
    readonly errors: InputIssue[],
  ) {}

  /** undefined when `value` is not a JSON object (the issue is recorded). */
  static of(value: unknown, base: string, errors: InputIssue[], what: string): FieldReader | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      errors.push({ code: 'INVALID_TYPE', message: `${what} must be a JSON object`, path: base });
      return undefined;
    }
    return new FieldReader(value as Record<string, unknown>, base, errors);
  }

  path(key: string): string {
    return `${this.base}/${key}`;
  }

  err(key: string, code: string, message: string): void {
    this.errors.push({ code, message, path: key === '' ? this.base : this.path(key) });
  }

  onlyKnown(allowed: readonly string[]): void {
    for (const k of Object.keys(this.obj)) {
      if (!allowed.includes(k)) {
        const safe = /^[A-Za-z0-9_]{1,40}$/.test(k);
        this.errors.push({ code: 'UNKNOWN_FIELD', message: `unknown field${safe ? ` "${k}"` : ''}; the fields are ${allowed.join(', ')}`, path: safe ? this.path(k) : this.base });
      }
    }
  }

  has(key: string): boolean {
    const v = this.obj[key];
    return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
  }

  text(key: string, opts: { required?: boolean; max?: number; label?: string } = {}): string | null {
    const v = this.obj[key];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      if (opts.required) this.err(key, 'REQUIRED', `${opts.label ?? key} is required`);
      return null;
    }
    if (typeof v !== 'string') {
      this.err(key, 'INVALID_TYPE', `${key} must be a string`);
      return null;
    }
    const s = v.trim();
    const max = opts.max ?? 200;
    if (s.length > max) {
      this.err(key, 'TOO_LONG', `${key} is longer than ${max} characters`);
      return null;
    }
    if (/[\u0000-\u001f\u007f]/.test(s)) {
      this.err(key, 'INVALID_FORMAT', `${key} contains control characters`);
      return null;
    }
    return s;
  }

  date(key: string, required = true): string | null {
    const s = this.text(key, { required, max: 10 });
    if (s === null) return null;
    if (!isValidIsoDate(s)) {
      this.err(key, 'INVALID_DATE', `${key} must be a date written YYYY-MM-DD, e.g. 2021-07-16`);
      return null;
    }
    return s;
  }

  oneOf<T extends string>(key: string, values: readonly T[], required = true): T | null {
    const s = this.text(key, { required, max: 60 });
    if (s === null) return null;
    if (!(values as readonly string[]).includes(s)) {
      this.err(key, 'UNKNOWN_CODE', `${key} must be one of ${values.join(', ')}`);
      return null;
    }
    return s as T;
  }

  bool(key: string): boolean | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'boolean') {
      this.err(key, 'INVALID_TYPE', `${key} must be true or false`);
      return null;
    }
    return v;
  }

  /** A list; a single value is taken as a list of one. */
  list(key: string, max: number): unknown[] | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    const arr = Array.isArray(v) ? v : [v];
    if (arr.length > max) {
      this.err(key, 'TOO_MANY', `${key} may hold at most ${max} values`);
      return null;
    }
    return arr;
  }
}

/** A UDI-DI as records carry it: the issuing agency's character set; a 14-digit GTIN with a correct check digit. */
export function checkUdiDi(value: unknown, path: string, errors: InputIssue[]): string | null {
  if (typeof value !== 'string' || value.trim() === '') {
    errors.push({ code: value === undefined || value === null || value === '' ? 'REQUIRED' : 'INVALID_TYPE', message: 'a UDI-DI (string) is required', path });
    return null;
  }
  const s = value.trim();
  if (!UDI_DI_PATTERN.test(s)) {
    errors.push({ code: 'INVALID_FORMAT', message: 'a UDI-DI is 1–60 characters of the issuing agency’s character set', path });
    return null;
  }
  if (/^\d{14}$/.test(s) && !isValidGtin(s)) {
    errors.push({ code: 'GS1_CHECK_DIGIT', message: `${s} is not a GTIN-14 with a valid check digit`, path });
    return null;
  }
  return s;
}
