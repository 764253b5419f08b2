// POST /api/v1/udi/parse: the UDI parser (src/udi) as a service for scanning stations and EPDs.
// Answers exactly what `lir udi parse --json` prints: 200 with the combined result of the scan
// session, or 422 problem+json whose `error` is the CLI's {code, message, position}.

import type { FastifyInstance } from 'fastify';
import type { Services } from '../../register/services.js';
import { udiReport } from '../../udi/index.js';
import { HttpProblem, problem, sendProblem } from '../problem.js';

export const MAX_SCANS = 20;
export const MAX_SCAN_LENGTH = 4096;
const MAX_SEPARATORS = 8;

const scanString = { type: 'string', minLength: 1, maxLength: MAX_SCAN_LENGTH };

const parseBody = {
  type: 'object',
  additionalProperties: false,
  description:
    'Give `scans` (all carriers of one device, e.g. a GS1-128 label in two parts or HIBC primary + secondary) or a single `scan`. ' +
    'Strings are taken byte for byte: keep GS (U+001D) and symbology identifiers such as ]d2.',
  properties: {
    scans: { type: 'array', minItems: 1, maxItems: MAX_SCANS, items: scanString },
    scan: scanString,
    separators: { type: 'array', maxItems: MAX_SEPARATORS, items: { type: 'string', minLength: 1, maxLength: 8 }, description: 'characters the scanner sends instead of GS (as `--separator`), e.g. "|"' },
    typed: { type: 'boolean', description: 'typed from the label text: a wrong HIBC check character is a warning (as `--typed`)' },
  },
};

interface ParseRequest {
  scans: string[];
  pointer: (index: number) => string;
  separators: string[];
  typed: boolean;
}

function bad(message: string, pointer: string): never {
  throw new HttpProblem(400, 'INVALID_BODY', message, [{ code: 'INVALID_BODY', message, pointer }]);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function readRequest(body: unknown): ParseRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) bad('send a JSON object: {"scans": ["…"]} or {"scan": "…"}', '');
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!['scans', 'scan', 'separators', 'typed'].includes(key)) bad(`unknown field ${JSON.stringify(key.slice(0, 40))}`, `/${key.slice(0, 40)}`);
  }
  if (b.scans !== undefined && b.scan !== undefined) bad('give either "scans" or "scan", not both', '/scan');
  let scans: string[];
  let pointer: (index: number) => string;
  if (b.scans !== undefined) {
    if (!isStringArray(b.scans)) bad('"scans" must be an array of strings', '/scans');
    if (b.scans.length === 0) bad('"scans" holds no strings', '/scans');
    if (b.scans.length > MAX_SCANS) bad(`at most ${MAX_SCANS} scans per device`, '/scans');
    scans = b.scans;
    pointer = (i) => `/scans/${i}`;
  } else if (b.scan !== undefined) {
    if (typeof b.scan !== 'string') bad('"scan" must be a string', '/scan');
    scans = [b.scan];
    pointer = () => '/scan';
  } else {
    bad('give "scans" (array of strings) or "scan" (string)', '/scans');
  }
  for (const [i, s] of scans.entries()) {
    if (s.length > MAX_SCAN_LENGTH) bad(`a scan has at most ${MAX_SCAN_LENGTH} characters`, pointer(i));
  }
  let separators: string[] = [];
  if (b.separators !== undefined) {
    if (!isStringArray(b.separators) || b.separators.length > MAX_SEPARATORS || b.separators.some((s) => s.length === 0 || s.length > 8)) {
      bad(`"separators" must be an array of at most ${MAX_SEPARATORS} non-empty strings of up to 8 characters`, '/separators');
    }
    separators = b.separators;
  }
  if (b.typed !== undefined && typeof b.typed !== 'boolean') bad('"typed" must be true or false', '/typed');
  return { scans, pointer, separators, typed: b.typed === true };
}

export function udiRoutes(app: FastifyInstance, _services: Services): void {
  app.post(
    '/udi/parse',
    {
      // reads only: a token with read scope may ask
      config: { scope: 'system/*.read' },
      schema: {
        summary: 'Parse the UDI carriers of one device (GS1, HIBCC, ICCBBA)',
        description:
          'Parses one scan or the scans of one device and combines them; pairing and link rules are checked over the combination. ' +
          'The answer is what `lir udi parse --json` prints: 200 with {issuer, udiDi, lot, serial, expiryDate, manufactureDate, elements, partial, warnings}; ' +
          '422 problem+json with `error` {code, message, position} and `errors[0].pointer` naming the failing string. ' +
          'Any authenticated caller may use it; nothing is stored. Rules and codes: docs/udi.md.',
        tags: ['udi'],
        body: parseBody,
        // No response schema on purpose: Fastify would serialize through it and could drop fields.
      },
    },
    async (req, reply) => {
      const r = readRequest(req.body);
      const report = udiReport(r.scans, { separators: r.separators, typed: r.typed });
      if (report.ok) return reply.code(200).send(report.value);
      const { error } = report;
      return sendProblem(
        reply,
        problem(422, error.code, error.message, [{ code: error.code, message: error.message, pointer: r.pointer(report.input ?? 0) }], { error }),
      );
    },
  );
}
