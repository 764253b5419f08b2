// `lir stats` methods comparing providers: funnel limits, over-dispersion, registry outlier rules.
import { checkNumber, number, numberArray, object, oneOf, StatsInputError, type Json, type StatsMethod } from '../request.js';
import { DEFAULT_LEVELS, proportionFunnel, ratioFunnel } from '../funnel.js';
import { overdispersion, type OverdispersionUnit } from '../overdispersion.js';
import { aoanjrrStage1, njrOutliers, type Comparator, type RegistryComponent } from '../registry-outliers.js';

/** `levels`: optional array of two-sided coverages in (0, 1), default [0.95, 0.998]. */
function levels(req: Json): number[] {
  if (req.levels === undefined) return [...DEFAULT_LEVELS];
  const v = numberArray(req, 'levels', { min: 0, max: 1, minLength: 1 });
  v.forEach((x, i) => {
    if (x <= 0 || x >= 1) throw new StatsInputError(`levels[${i}] must be between 0 and 1 exclusive (e.g. 0.95)`, `/levels/${i}`);
  });
  return v;
}

function array(req: Json, field: string, minLength = 1): unknown[] {
  const v = req[field];
  if (!Array.isArray(v)) throw new StatsInputError(`${field} must be an array`, `/${field}`);
  if (v.length < minLength) throw new StatsInputError(`${field} needs at least ${minLength} entr${minLength === 1 ? 'y' : 'ies'}`, `/${field}`);
  return v;
}

function id(o: Json, pointer: string): string {
  const v = o.id;
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new StatsInputError('id must be a non-empty string or a number', `${pointer}/id`);
}

function uniqueIds(ids: string[], field: string): void {
  const seen = new Set<string>();
  ids.forEach((x, i) => {
    if (seen.has(x)) throw new StatsInputError(`${field}[${i}].id "${x}" occurs twice`, `/${field}/${i}/id`);
    seen.add(x);
  });
}

function components(req: Json, yearsField: 'componentYears' | 'patientYears'): RegistryComponent[] {
  const list = array(req, 'groups').map((g, i) => {
    const p = `/groups/${i}`;
    const o = object(g, p);
    const procedures = checkNumber(o.procedures, `${p}/procedures`, `groups[${i}].procedures`, { integer: true, min: 1 });
    const revisions = checkNumber(o.revisions, `${p}/revisions`, `groups[${i}].revisions`, { integer: true, min: 0 });
    if (revisions > procedures) throw new StatsInputError(`groups[${i}].revisions (${revisions}) cannot exceed procedures (${procedures})`, `${p}/revisions`);
    const years = checkNumber(o[yearsField], `${p}/${yearsField}`, `groups[${i}].${yearsField}`, { min: 0 });
    if (years === 0) throw new StatsInputError(`groups[${i}].${yearsField} is 0: a rate per 100 ${yearsField === 'componentYears' ? 'component' : 'patient'}-years needs time at risk`, `${p}/${yearsField}`);
    return { id: id(o, p), procedures, revisions, years };
  });
  uniqueIds(list.map((c) => c.id), 'groups');
  return list;
}

const COMPARATORS = ['exclude-large', 'exclude-self', 'all'] as const;

export const providersMethods: Record<string, StatsMethod> = {
  funnel(req) {
    const target = number(req, 'target', { min: 0, max: 1 });
    const method = oneOf(req, 'method', ['exact', 'normal'] as const, 'exact');
    const n = numberArray(req, 'n', { min: 1, minLength: 1, integer: method === 'exact' });
    return { target, method, limits: proportionFunnel(target, n, levels(req), method) };
  },

  'funnel-ratio'(req) {
    const target = number(req, 'target', { optional: true, min: 0, exclusiveMin: true }) ?? 1;
    const expected = numberArray(req, 'expected', { min: 0, minLength: 1 });
    expected.forEach((e, i) => {
      if (e === 0) throw new StatsInputError(`expected[${i}] is 0: the ratio observed/expected needs an expected count above 0`, `/expected/${i}`);
    });
    return { target, limits: ratioFunnel(expected, levels(req), target) };
  },

  overdispersion(req) {
    const type = oneOf(req, 'type', ['proportion', 'ratio'] as const);
    const ratioScale = oneOf(req, 'ratioScale', ['log', 'sqrt'] as const, 'log');
    const target =
      type === 'proportion' ? number(req, 'target', { optional: true, min: 0, max: 1 }) : number(req, 'target', { optional: true, min: 0, exclusiveMin: true });
    const trim = number(req, 'trim', { optional: true, min: 0, max: 0.5 });
    const units: OverdispersionUnit[] = array(req, 'units').map((u, i) => {
      const p = `/units/${i}`;
      const o = object(u, p);
      const n = checkNumber(o.n, `${p}/n`, `units[${i}].n`, { min: 0, exclusiveMin: true, integer: type === 'proportion' });
      const events = checkNumber(o.events, `${p}/events`, `units[${i}].events`, { min: 0, integer: true });
      if (type === 'proportion' && events > n) throw new StatsInputError(`units[${i}].events (${events}) cannot exceed n (${n})`, `${p}/events`);
      if (type === 'ratio' && ratioScale === 'log' && events === 0)
        throw new StatsInputError(`units[${i}].events is 0: log(observed/expected) is undefined; use "ratioScale": "sqrt" for units without events`, `${p}/events`);
      return { id: id(o, p), events, n };
    });
    uniqueIds(units.map((u) => u.id), 'units');
    return overdispersion(units, { type, ...(type === 'ratio' ? { ratioScale } : {}), ...(target !== undefined ? { target } : {}), ...(trim !== undefined ? { trim } : {}), levels: levels(req) });
  },

  aoanjrr(req) {
    const groups = components(req, 'componentYears');
    const comparator: Comparator = oneOf(req, 'comparator', COMPARATORS, 'exclude-large');
    return { comparator, components: aoanjrrStage1(groups, comparator) };
  },

  njr(req) {
    const groups = components(req, 'patientYears');
    const comparator: Comparator = oneOf(req, 'comparator', COMPARATORS, 'exclude-self');
    const level = number(req, 'level', { optional: true, min: 0, exclusiveMin: true, max: 0.999999 }) ?? 0.95;
    return { comparator, level, components: njrOutliers(groups, { comparator, level }) };
  },
};
