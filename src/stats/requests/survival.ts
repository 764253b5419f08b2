import { aalenJohansen } from '../competing-risks.js';
import { kaplanMeier, type ConfType } from '../kaplan-meier.js';
import { logrank, LogrankError } from '../logrank.js';
import { level, numberArray, oneOf, sameLength, StatsInputError, type Json, type StatsMethod } from '../request.js';

const CONF_TYPES: readonly ConfType[] = ['log', 'log-log', 'plain'];

/** Follow-up times: finite, ≥ 0, at least one. */
function times(req: Json): number[] {
  return numberArray(req, 'time', { min: 0, minLength: 1 });
}

/** Group labels: numbers or strings (not mixed), one per observation. */
function groups(req: Json): (number | string)[] {
  const v = req['group'];
  if (!Array.isArray(v)) throw new StatsInputError(`group must be an array of numbers or strings, not ${v === undefined ? 'missing' : typeof v}`, '/group');
  const kind = typeof v[0];
  v.forEach((g, i) => {
    if (!((typeof g === 'number' && Number.isFinite(g)) || typeof g === 'string')) throw new StatsInputError(`group[${i}] must be a number or a string`, `/group/${i}`);
    if (typeof g !== kind) throw new StatsInputError(`group[${i}] must be a ${kind} like group[0] (do not mix numbers and strings)`, `/group/${i}`);
  });
  return v as (number | string)[];
}

/** The `lir stats` methods of this group, by name. */
export const survivalMethods: Record<string, StatsMethod> = {
  'kaplan-meier': (req) => {
    const time = times(req);
    const event = numberArray(req, 'event', { integer: true, min: 0, max: 1 });
    sameLength(req, 'time', 'event');
    return kaplanMeier(time, event, { confType: oneOf(req, 'confType', CONF_TYPES, 'log'), level: level(req) });
  },
  'aalen-johansen': (req) => {
    const time = times(req);
    const cause = numberArray(req, 'cause', { integer: true, min: 0 });
    sameLength(req, 'time', 'cause');
    return aalenJohansen(time, cause, { level: level(req) });
  },
  logrank: (req) => {
    const time = times(req);
    const event = numberArray(req, 'event', { integer: true, min: 0, max: 1 });
    const group = groups(req);
    sameLength(req, 'time', 'event', 'group');
    try {
      return logrank(time, event, group);
    } catch (err) {
      if (err instanceof LogrankError) throw new StatsInputError(err.message, '/group');
      throw err;
    }
  },
};
