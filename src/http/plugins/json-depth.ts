// JSON bodies are parsed by us so that over-deep nesting is refused before JSON.parse
// builds it, and malformed JSON says where it broke.

import type { FastifyInstance } from 'fastify';
import { HttpProblem } from '../problem.js';

export const MAX_JSON_DEPTH = 32;

/** The deepest nesting of objects/arrays in a JSON text, scanning past strings. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: jump to its closing quote (one not escaped by an odd run of backslashes); most of
      // a Bundle's text is strings, so this skips most characters without looking at them
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return max; // unterminated: JSON.parse says where
        let backslashes = 0;
        while (text.charCodeAt(j - 1 - backslashes) === 92) backslashes++;
        if (backslashes % 2 === 0) break;
      }
      i = j;
    } else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

export function registerJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'application/fhir+json'], { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      return done(new HttpProblem(400, 'TOO_DEEP', `the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      const m = /position (\d+)/.exec((err as Error).message);
      done(new HttpProblem(400, 'INVALID_JSON', `the body is not valid JSON${m ? ` (at character ${Number(m[1]) + 1})` : ''}`), undefined);
    }
  });
}
