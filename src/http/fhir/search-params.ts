// FHIR search parameters of the read path: which ones each resource type supports, how their
// values are parsed into repository filters, and the strict/lenient handling of unknown ones
// (FHIR R4 §3.1.1.5.6 and the `Prefer: handling=` header).

import type { RecordSearch } from '../../register/records-repository.js';
import { SYSTEMS } from './model.js';

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 1000;

export type SearchableType = 'DeviceUseStatement' | 'Device' | 'Procedure';

/** Parameters every search type knows (result and paging parameters). */
const COMMON = ['_id', '_lastUpdated', '_count', '_cursor', '_total', '_format'] as const;

/** Search parameters per resource type, with the modifiers each accepts. */
export const SEARCH_PARAMETERS: Record<SearchableType, readonly string[]> = {
  DeviceUseStatement: [...COMMON, 'identifier', 'patient', 'patient:identifier', 'subject', 'subject:identifier', 'device'],
  Device: [...COMMON, 'udi-di', 'patient', 'patient:identifier'],
  Procedure: [...COMMON, 'patient', 'patient:identifier', 'subject', 'subject:identifier'],
};

/** What each search parameter means, for the CapabilityStatement and docs/fhir.md. */
export const SEARCH_PARAMETER_DOCS: Record<string, { type: 'token' | 'reference' | 'date' | 'number' | 'string'; documentation: string }> = {
  _id: { type: 'token', documentation: 'the register record id (comma-separated for several)' },
  _lastUpdated: { type: 'date', documentation: 'time the register stored the latest version; prefixes eq, gt, ge, lt, le, sa, eb; repeat for a range' },
  identifier: { type: 'token', documentation: `your providerRecordRef: ${SYSTEMS.providerRecordRef}|<ref>` },
  patient: { type: 'reference', documentation: 'Patient/<id> (the id of a TTP pseudonym); :identifier takes <pseudonym system>|<pseudonym>' },
  subject: { type: 'reference', documentation: 'the same as patient' },
  device: { type: 'reference', documentation: 'Device/<id>' },
  'udi-di': { type: 'string', documentation: 'the UDI device identifier (GS1: GTIN-14), exact match' },
};

/** Interactions of the read path per resource type (for the CapabilityStatement). */
export const READ_INTERACTIONS: Record<SearchableType | 'Patient', ('read' | 'vread' | 'history-instance' | 'search-type')[]> = {
  DeviceUseStatement: ['read', 'vread', 'history-instance', 'search-type'],
  Device: ['read', 'vread', 'history-instance', 'search-type'],
  Procedure: ['read', 'vread', 'history-instance', 'search-type'],
  Patient: ['read'],
};

/** The R4 SearchParameter each one implements (from the HL7 search-parameters bundle). */
const DEFINITIONS: Record<SearchableType, Record<string, string>> = {
  DeviceUseStatement: {
    patient: 'http://hl7.org/fhir/SearchParameter/clinical-patient',
    subject: 'http://hl7.org/fhir/SearchParameter/DeviceUseStatement-subject',
    identifier: 'http://hl7.org/fhir/SearchParameter/DeviceUseStatement-identifier',
    device: 'http://hl7.org/fhir/SearchParameter/DeviceUseStatement-device',
  },
  Device: {
    patient: 'http://hl7.org/fhir/SearchParameter/Device-patient',
    'udi-di': 'http://hl7.org/fhir/SearchParameter/Device-udi-di',
  },
  Procedure: {
    patient: 'http://hl7.org/fhir/SearchParameter/clinical-patient',
    subject: 'http://hl7.org/fhir/SearchParameter/Procedure-subject',
  },
};
const COMMON_DEFINITIONS: Record<string, string> = {
  _id: 'http://hl7.org/fhir/SearchParameter/Resource-id',
  _lastUpdated: 'http://hl7.org/fhir/SearchParameter/Resource-lastUpdated',
};

/**
 * The search parameters of a type as CapabilityStatement.rest.resource.searchParam entries: every
 * parameter `parseSearch` accepts, by base name (modifiers are named in the documentation), without
 * the paging and format parameters (_count, _cursor, _total, _format: see the rest documentation).
 */
export function capabilitySearchParams(type: SearchableType): { name: string; type: 'token' | 'reference' | 'date' | 'number' | 'string'; definition?: string; documentation: string }[] {
  const names = [...new Set(SEARCH_PARAMETERS[type].map((p) => p.split(':')[0]!))].filter((n) => !['_count', '_cursor', '_total', '_format'].includes(n));
  return names.map((name) => {
    const doc = SEARCH_PARAMETER_DOCS[name]!;
    const definition = DEFINITIONS[type][name] ?? COMMON_DEFINITIONS[name];
    return { name, type: doc.type, ...(definition ? { definition } : {}), documentation: doc.documentation };
  });
}

export class SearchError extends Error {
  constructor(
    /** The parameter at fault (used as the OperationOutcome expression). */
    readonly parameter: string,
    message: string,
    /** OperationOutcome issue code. */
    readonly issueCode: 'not-supported' | 'invalid' | 'value' = 'value',
    /** Our error code (OperationOutcome.issue.details): a parameter or modifier we do not know, or a bad value. */
    readonly errorCode: 'UNKNOWN_PARAMETER' | 'INVALID_PARAMETER' = 'INVALID_PARAMETER',
  ) {
    super(message);
  }
}

export interface ParsedSearch {
  filters: RecordSearch;
  count: number;
  cursor: string | null;
  total: 'none' | 'accurate';
  /** The parameters that were applied, as name/value pairs in the order given (for the self link). */
  applied: [string, string][];
  /** Unknown parameters ignored under `Prefer: handling=lenient`. */
  ignored: string[];
}

type Query = Record<string, string | string[] | undefined>;

/** True when the request asks for lenient handling of unknown search parameters. */
export function isLenient(prefer: string | string[] | undefined): boolean {
  const values = Array.isArray(prefer) ? prefer : prefer ? [prefer] : [];
  return values.some((v) => v.split(/[,;]/).some((p) => p.trim().toLowerCase() === 'handling=lenient'));
}

export function parseSearch(type: SearchableType, query: Query, lenient: boolean): ParsedSearch {
  const known = SEARCH_PARAMETERS[type];
  const filters: RecordSearch = {};
  const applied: [string, string][] = [];
  const ignored: string[] = [];
  let count = DEFAULT_COUNT;
  let cursor: string | null = null;
  let total: ParsedSearch['total'] = 'none';
  const single = (name: string, values: string[]): string => {
    if (values.length > 1) throw new SearchError(name, `${name} may be given once`, 'invalid');
    return values[0]!;
  };

  for (const [name, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    if (!known.includes(name)) {
      if (lenient) {
        ignored.push(name);
        continue;
      }
      const [base, modifier] = name.split(':');
      const why =
        modifier !== undefined && known.includes(base!)
          ? `the modifier :${modifier} is not supported on ${base}`
          : `the search parameter ${name} is not supported on ${type}`;
      throw new SearchError(name, `${why}; supported: ${known.join(', ')} (send Prefer: handling=lenient to have unknown parameters ignored)`, 'not-supported', 'UNKNOWN_PARAMETER');
    }
    switch (name) {
      case '_count': {
        const v = single(name, values);
        const n = Number(v);
        if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new SearchError(name, '_count must be a whole number from 0', 'value');
        count = Math.min(n, MAX_COUNT);
        continue; // put in the links by the caller
      }
      case '_cursor':
        cursor = single(name, values);
        continue;
      case '_total': {
        const v = single(name, values);
        if (v === 'accurate') total = 'accurate';
        else if (v !== 'none' && v !== 'estimate') throw new SearchError(name, '_total must be none, estimate or accurate', 'value');
        break;
      }
      case '_format': {
        const v = single(name, values);
        if (!['json', 'application/json', 'application/fhir+json'].includes(v)) throw new SearchError(name, 'only JSON is served: _format=json', 'not-supported');
        continue;
      }
      case '_id': {
        const ids = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
        filters.ids = [...(filters.ids ?? []).filter((id) => ids.includes(id)), ...(filters.ids ? [] : ids)];
        break;
      }
      case '_lastUpdated':
        for (const v of values) filters.lastUpdated = [...(filters.lastUpdated ?? []), ...parseDateBounds(name, v)];
        break;
      case 'identifier': {
        const v = single(name, values);
        const token = parseToken(name, v);
        if (token.system !== undefined && token.system !== SYSTEMS.providerRecordRef) filters.ids = []; // no identifier of another system
        filters.providerRecordRef = token.value;
        break;
      }
      case 'patient':
      case 'subject': {
        const v = single(name, values);
        const m = /^(?:.*\/)?Patient\/([A-Za-z0-9.-]{1,64})$/.exec(v) ?? /^([A-Za-z0-9.-]{1,64})$/.exec(v);
        if (!m) throw new SearchError(name, `${name} must be Patient/<id>`, 'value');
        if (filters.patientId !== undefined && filters.patientId !== m[1]) filters.ids = [];
        filters.patientId = m[1]!;
        break;
      }
      case 'patient:identifier':
      case 'subject:identifier': {
        const v = single(name, values);
        const token = parseToken(name, v);
        if (token.system !== undefined && token.system !== SYSTEMS.pseudonym) filters.ids = [];
        filters.pseudonym = token.value;
        break;
      }
      case 'device': {
        const v = single(name, values);
        const m = /^(?:.*\/)?Device\/([A-Za-z0-9.-]{1,64})$/.exec(v) ?? /^([A-Za-z0-9.-]{1,64})$/.exec(v);
        if (!m) throw new SearchError(name, 'device must be Device/<id>', 'value');
        filters.ids = filters.ids ? filters.ids.filter((id) => id === m[1]) : [m[1]!];
        break;
      }
      case 'udi-di': {
        const v = single(name, values);
        if (v === '') throw new SearchError(name, 'udi-di needs a value', 'value');
        filters.udiDi = v;
        break;
      }
    }
    for (const v of values) applied.push([name, v]);
  }
  return { filters, count, cursor, total, applied, ignored };
}

/** token: `system|value`, `|value` (no system: matches nothing here), or `value` (any system). */
function parseToken(name: string, v: string): { system?: string; value: string } {
  const i = v.indexOf('|');
  if (i < 0) {
    if (v === '') throw new SearchError(name, `${name} needs a value`, 'value');
    return { value: v };
  }
  const system = v.slice(0, i);
  const value = v.slice(i + 1);
  if (value === '') throw new SearchError(name, `${name} needs a value after the |: searching by system alone is not supported`, 'not-supported');
  return { system, value };
}

// ---- dates: the value is a range given by its precision; prefixes compare the stored instant to it ----

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;
const PREFIXES = ['eq', 'gt', 'ge', 'lt', 'le', 'sa', 'eb'] as const;

/** The bounds a date search value puts on an instant. Dates without a zone are Dutch time (Europe/Amsterdam). */
export function parseDateBounds(name: string, value: string): { op: 'gt' | 'ge' | 'lt' | 'le'; at: string }[] {
  let prefix = 'eq';
  let v = value;
  if (/^[a-z]{2}/.test(value)) {
    prefix = value.slice(0, 2);
    v = value.slice(2);
    if (!(PREFIXES as readonly string[]).includes(prefix)) {
      throw new SearchError(name, `the prefix ${prefix} is not supported on ${name}; use one of ${PREFIXES.join(', ')}`, prefix === 'ne' || prefix === 'ap' ? 'not-supported' : 'value');
    }
  }
  const range = dateRange(v);
  if (!range) throw new SearchError(name, `${name} must be a date or instant such as 2026-06-01 or 2026-06-01T10:00:00Z, optionally after a prefix (ge, lt, …)`, 'value');
  const [lo, hi] = range;
  switch (prefix) {
    case 'eq':
      return [
        { op: 'ge', at: lo },
        { op: 'lt', at: hi },
      ];
    case 'gt':
    case 'sa':
      return [{ op: 'ge', at: hi }];
    case 'ge':
      return [{ op: 'ge', at: lo }];
    case 'lt':
    case 'eb':
      return [{ op: 'lt', at: lo }];
    default: // le
      return [{ op: 'lt', at: hi }];
  }
}

/** [start, end) of the period a date/dateTime/instant value stands for, as ISO instants. */
export function dateRange(v: string): [string, string] | undefined {
  const m = DATE_RE.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo ? Number(mo) : undefined;
  const day = d ? Number(d) : undefined;
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > new Date(Date.UTC(year, month!, 0)).getUTCDate())) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) return undefined;
  if (h !== undefined && zone === undefined) return undefined; // a time needs a zone (FHIR dateTime)
  const parts = [year, (month ?? 1) - 1, day ?? 1, Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)] as const;
  let next: [number, number, number, number, number, number];
  if (month === undefined) next = [year + 1, 0, 1, 0, 0, 0];
  else if (day === undefined) next = [year, month, 1, 0, 0, 0];
  else if (h === undefined) next = [year, month - 1, day + 1, 0, 0, 0];
  else if (s === undefined) next = [year, month - 1, day, Number(h), Number(mi) + 1, 0];
  else next = [year, month - 1, day, Number(h), Number(mi), Number(s) + (frac ? 0 : 1)];
  if (zone === undefined) return [amsterdamToUtc(...parts), amsterdamToUtc(...next)];
  const offsetMs = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  const ms = frac ? Math.floor(Number(frac) * 1000) : 0;
  const start = Date.UTC(...parts) + ms - offsetMs;
  // with fractional seconds the value is (nearly) a point: the millisecond it names
  const end = frac ? start + 1 : Date.UTC(...next) - offsetMs;
  return [new Date(start).toISOString(), new Date(end).toISOString()];
}

const AMSTERDAM = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Amsterdam',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Offset of Dutch time from UTC at an instant, in ms. */
function amsterdamOffset(utcMs: number): number {
  const p = Object.fromEntries(AMSTERDAM.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return local - Math.floor(utcMs / 1000) * 1000;
}

/** The UTC instant of a Dutch wall-clock time (Date.UTC argument order; overflow allowed). */
function amsterdamToUtc(y: number, mo: number, d: number, h: number, mi: number, s: number): string {
  const guess = Date.UTC(y, mo, d, h, mi, s);
  let utc = guess - amsterdamOffset(guess);
  utc = guess - amsterdamOffset(utc);
  return new Date(utc).toISOString();
}
