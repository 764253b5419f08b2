// POST /fhir/R4/$deliver-bundles: an NDJSON file of Bundles (application/fhir+ndjson), e.g. the
// initial load of a hospital's history. The body is streamed, never held whole: each line is
// delivered as soon as it is read, through the same path as POST /fhir/R4 (a transaction Bundle
// all or nothing, a batch Bundle per record), and its answer is written at once, so the sender
// sees progress. The answer is NDJSON too:
//   per non-blank input line, in order: the transaction-response / batch-response Bundle, or the
//     OperationOutcome (a refused Bundle, or a line that is not JSON); each carries the input line
//     number in meta.extension (LINE_EXTENSION);
//   last: a Parameters resource with the totals.
// Memory is bounded by one line (at most the body limit; a longer line is refused and skipped) and
// its answer.
// All lines form one delivery per provider (one receipt: GET /api/v1/deliveries/{id}).

import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Bundle, OperationOutcome, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { requireRole, type Caller } from '../../auth/caller.js';
import type { Services } from '../../register/services.js';
import { startBundle, type BundleCounts } from '../../register/fhir/bundle-deliver.js';
import { decodeUtf8 } from '../../register/csv-reader.js';
import type { DeliverySession } from '../../register/intake.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../plugins/json-depth.js';
import { LIR_FHIR_BASE } from './model.js';
import { FHIR_NDJSON, fhirError, operationOutcome, type FhirIssue } from './operation-outcome.js';

export const BULK_PATH = '/$deliver-bundles';
/** Lines translated ahead of their answers: enough for the writer to group them, bounded memory. */
const IN_FLIGHT = 16;

export const NDJSON_CONTENT_TYPES = ['application/fhir+ndjson', 'application/x-ndjson', 'application/ndjson'];

/** meta.extension on every answer line: the (1-based) line of the input it answers. */
export const LINE_EXTENSION = `${LIR_FHIR_BASE}/StructureDefinition/ndjson-line`;

export function bulkRoutes(fhir: FastifyInstance, services: Services, opts: { maxLineChars: number }): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    requireRole(req.caller, 'provider');
    const body = req.body;
    if (!(body instanceof Readable)) {
      throw fhirError(415, 'not-supported', 'UNSUPPORTED_MEDIA_TYPE', `send the Bundles as ${NDJSON_CONTENT_TYPES[0]}: one Bundle per line`);
    }
    const session = services.intake.startSession();
    const lines = deliverLines(services, req.caller, body, session, opts.maxLineChars, (err) => req.log.error({ err }, 'bulk delivery line failed'));
    return reply.code(200).type(FHIR_NDJSON).send(Readable.from(lines, { objectMode: false, highWaterMark: 1 }));
  };
  fhir.post(BULK_PATH, { config: { largeBody: true }, schema: { hide: true } }, handler);
  // the same with `$` percent-encoded (`%24deliver-bundles`), as some clients send it: the router
  // matches static paths undecoded, but decodes parameters
  fhir.post<{ Params: { operation: string } }>('/:operation', { config: { largeBody: true }, schema: { hide: true } }, async (req, reply) => {
    if (req.params.operation !== BULK_PATH.slice(1)) return reply.callNotFound();
    return handler(req, reply);
  });
}

export type NdjsonLine = { line: number; text: string } | { line: number; tooLong: true };

/**
 * Splits a byte stream into its non-blank lines (LF or CRLF; a BOM dropped; 1-based numbers).
 * A line longer than `maxChars` is not kept: it is reported as too long, and reading resumes at
 * the next line. Memory stays bounded by `maxChars` and the chunk size.
 */
export async function* ndjsonLines(source: AsyncIterable<string | Uint8Array>, maxChars: number): AsyncGenerator<NdjsonLine, void, undefined> {
  let carry = '';
  let skipping = false;
  let line = 1;
  for await (const text of decodeUtf8(source)) {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      if (skipping || carry.length + (nl - start) > maxChars) {
        yield { line, tooLong: true };
      } else {
        const piece = carry + text.slice(start, nl);
        const clean = piece.endsWith('\r') ? piece.slice(0, -1) : piece;
        if (clean.trim() !== '') yield { line, text: clean };
      }
      carry = '';
      skipping = false;
      line++;
      start = nl + 1;
    }
    if (!skipping) {
      carry += text.slice(start);
      if (carry.length > maxChars) {
        skipping = true;
        carry = '';
      }
    }
  }
  if (skipping) yield { line, tooLong: true };
  else if (carry.trim() !== '') yield { line, text: carry.endsWith('\r') ? carry.slice(0, -1) : carry };
}

interface Totals {
  lines: number;
  bundlesAccepted: number;
  bundlesRejected: number;
  records: BundleCounts;
}

async function* deliverLines(
  services: Services,
  caller: Caller,
  body: Readable,
  session: DeliverySession,
  maxLineChars: number,
  logError: (err: unknown) => void,
): AsyncGenerator<string, void, undefined> {
  const totals: Totals = { lines: 0, bundlesAccepted: 0, bundlesRejected: 0, records: { total: 0, created: 0, updated: 0, unchanged: 0, withdrawn: 0, rejected: 0, warnings: 0 } };
  let offset = 0;
  let complete = true;
  const refused = (line: number, issue: FhirIssue): string => {
    totals.bundlesRejected++;
    return ndjson(withLine(operationOutcome([issue]), line));
  };
  // Answers in line order. A line is translated and checked here, one after the other, and then
  // stored by the intake's writer while the next lines are translated: lines that wait for the
  // writer are stored together (group commit). At most IN_FLIGHT answers are outstanding.
  const answers: Promise<string>[] = [];
  const settled = (text: string) => answers.push(Promise.resolve(text));
  const lines = ndjsonLines(body, maxLineChars);
  try {
    let nextLine = lines.next();
    for (;;) {
      // answer what is stored while the next line has not arrived: a client that sends a line and
      // waits for its answer gets it
      while (answers.length > 0 && (await Promise.race([answers[0]!.then(() => true), nextLine.then(() => false)]))) yield await answers.shift()!;
      const step = await nextLine;
      if (step.done) break;
      while (answers.length >= IN_FLIGHT) yield await answers.shift()!;
      nextLine = lines.next();
      const next = step.value;
      const line = next.line;
      totals.lines++;
      if ('tooLong' in next) {
        settled(refused(line, { severity: 'error', code: 'too-long', errorCode: 'LINE_TOO_LONG', diagnostics: `line ${line} is longer than ${maxLineChars} characters (the body limit): split the Bundle` }));
        continue;
      }
      const text = next.text;
      if (text.includes('\uFFFD')) {
        settled(refused(line, { severity: 'error', code: 'structure', errorCode: 'INVALID_ENCODING', diagnostics: `line ${line} is not valid UTF-8` }));
        continue;
      }
      let bundle: unknown;
      if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        settled(refused(line, { severity: 'error', code: 'structure', errorCode: 'TOO_DEEP', diagnostics: `line ${line} is nested deeper than ${MAX_JSON_DEPTH} levels` }));
        continue;
      }
      try {
        bundle = JSON.parse(text);
      } catch (err) {
        const m = /position (\d+)/.exec((err as Error).message);
        settled(refused(line, { severity: 'error', code: 'structure', errorCode: 'INVALID_JSON', diagnostics: `line ${line} is not valid JSON${m ? ` (at character ${Number(m[1]) + 1})` : ''}` }));
        continue;
      }
      const internal = (err: unknown) => {
        logError(err);
        return refused(line, { severity: 'error', code: 'exception', errorCode: 'INTERNAL', diagnostics: `line ${line} could not be processed; nothing of it was stored. Send it again later or contact the CIBG service desk.` });
      };
      try {
        const started = await startBundle(services, caller, bundle, { session, indexOffset: offset, source: '$deliver-bundles' });
        offset += started.sent;
        answers.push(
          started.result.then((result) => {
            for (const k of Object.keys(totals.records) as (keyof BundleCounts)[]) totals.records[k] += result.counts[k];
            if (result.status < 300) totals.bundlesAccepted++;
            else totals.bundlesRejected++;
            return ndjson(withLine(result.resource, line));
          }, internal),
        );
      } catch (err) {
        settled(internal(err));
      }
    }
  } catch (err) {
    complete = false;
    logError(err);
  }
  while (answers.length > 0) yield await answers.shift()!;
  if (!complete) {
    yield ndjson(operationOutcome([{ severity: 'fatal', code: 'exception', errorCode: 'INTERNAL', diagnostics: 'reading the request stopped; the lines answered above were delivered, the rest was not' }]));
  }
  yield ndjson(totalsResource(totals, complete, [...session.ids.values()]));
}

function withLine<T extends Bundle | OperationOutcome>(resource: T, line: number): T {
  return { ...resource, meta: { ...resource.meta, extension: [{ url: LINE_EXTENSION, valueInteger: line }] } };
}

function ndjson(resource: unknown): string {
  return JSON.stringify(resource) + '\n';
}

function totalsResource(t: Totals, complete: boolean, deliveryIds: string[]): Parameters {
  const int = (name: string, value: number): ParametersParameter => ({ name, valueInteger: value });
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'complete', valueBoolean: complete },
      int('lines', t.lines),
      int('bundlesAccepted', t.bundlesAccepted),
      int('bundlesRejected', t.bundlesRejected),
      int('records', t.records.total),
      int('created', t.records.created),
      int('updated', t.records.updated),
      int('unchanged', t.records.unchanged),
      int('withdrawn', t.records.withdrawn),
      int('rejected', t.records.rejected),
      int('warnings', t.records.warnings),
      ...deliveryIds.map((id) => ({ name: 'delivery', valueString: id })),
    ],
  };
}
