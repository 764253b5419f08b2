import type { FastifyInstance } from 'fastify';
import { requireRole } from '../../auth/caller.js';
import type { Services } from '../../register/services.js';
import { RecordsRepository } from '../../register/records-repository.js';
import { HttpProblem, problem, sendProblem, type ProblemIssue } from '../problem.js';
import { recordSchema } from '../schemas.js';
import { pageQuery } from './paging.js';

export const MAX_RECORDS_PER_REQUEST = 10_000;

export function recordRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Querystring: { mode?: string } }>(
    '/records',
    {
      config: { largeBody: true },
      schema: {
        summary: 'Deliver one record or an array of records',
        description:
          'Each record is validated, its UDI parsed, its UDI-DI resolved, and stored as a new version; the answer is a receipt per record. ' +
          '`mode=batch` (default) stores every valid record; `mode=transaction` stores all or nothing. Re-delivering identical content is a no-op.',
        tags: ['records'],
        querystring: { type: 'object', properties: { mode: { type: 'string', enum: ['batch', 'transaction'] } } },
        body: { oneOf: [recordSchema, { type: 'array', items: recordSchema, maxItems: MAX_RECORDS_PER_REQUEST }] },
      },
    },
    async (req, reply) => {
      requireRole(req.caller, 'provider');
      const mode = req.query.mode ?? 'batch';
      if (mode !== 'batch' && mode !== 'transaction') {
        throw new HttpProblem(400, 'INVALID_PARAMETER', 'mode must be batch or transaction', [{ code: 'UNKNOWN_CODE', message: 'mode must be batch or transaction', pointer: 'mode' }]);
      }
      const body = req.body;
      if (body === undefined || body === null || typeof body !== 'object') throw new HttpProblem(400, 'INVALID_BODY', 'send one record (a JSON object) or an array of records');
      const isArray = Array.isArray(body);
      const records = isArray ? (body as unknown[]) : [body];
      if (records.length === 0) throw new HttpProblem(400, 'EMPTY_DELIVERY', 'the array holds no records');
      if (records.length > MAX_RECORDS_PER_REQUEST) {
        throw new HttpProblem(413, 'TOO_MANY_RECORDS', `at most ${MAX_RECORDS_PER_REQUEST} records per request; use NDJSON file delivery for more`);
      }
      const receipt = await services.intake.deliver({ records, mode, channel: 'rest', caller: req.caller });
      if (receipt.status === 'rejected') {
        const errors: ProblemIssue[] = receipt.items.flatMap((it) =>
          it.errors.map((e) => ({ code: e.code, message: e.message, pointer: (isArray ? `/${it.index}` : '') + e.path })),
        );
        return sendProblem(reply, problem(422, 'DELIVERY_REJECTED', `${receipt.counts.rejected} of ${receipt.counts.total} records were rejected; nothing was stored`, errors, { receipt }));
      }
      return reply.code(200).send(receipt);
    },
  );

  app.get<{ Querystring: { limit?: string; cursor?: string; providerKvk?: string; udiDi?: string } }>(
    '/records',
    {
      schema: {
        summary: 'List records, newest delivery first (a provider sees its own)',
        tags: ['records'],
        querystring: {
          type: 'object',
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 }, cursor: { type: 'string' }, providerKvk: { type: 'string' }, udiDi: { type: 'string' } },
        },
      },
    },
    async (req) => {
      const repo = new RecordsRepository(services.db, req.caller);
      return repo.list({ ...pageQuery(req.query), ...(req.query.providerKvk ? { providerKvk: req.query.providerKvk } : {}), ...(req.query.udiDi ? { udiDi: req.query.udiDi } : {}) });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/records/:id',
    { schema: { summary: 'One record, current version', tags: ['records'], params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } } },
    async (req) => {
      const record = await new RecordsRepository(services.db, req.caller).get(req.params.id);
      if (!record) throw new HttpProblem(404, 'NOT_FOUND', `no record ${req.params.id.slice(0, 40)} that you may read`);
      return record;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/records/:id/history',
    { schema: { summary: 'Every version of a record, oldest first', tags: ['records'], params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } } },
    async (req) => {
      const history = await new RecordsRepository(services.db, req.caller).history(req.params.id);
      if (!history) throw new HttpProblem(404, 'NOT_FOUND', `no record ${req.params.id.slice(0, 40)} that you may read`);
      return { id: req.params.id, versions: history };
    },
  );

  app.get<{ Querystring: { limit?: string; cursor?: string } }>(
    '/deliveries',
    { schema: { summary: 'Receipts of deliveries, newest first', tags: ['receipts'], querystring: { type: 'object', properties: { limit: { type: 'integer' }, cursor: { type: 'string' } } } } },
    async (req) => new RecordsRepository(services.db, req.caller).deliveries(pageQuery(req.query)),
  );

  app.get<{ Params: { id: string } }>(
    '/deliveries/:id',
    { schema: { summary: 'One receipt with every rejected record and warning', tags: ['receipts'] } },
    async (req) => {
      const d = await new RecordsRepository(services.db, req.caller).delivery(req.params.id);
      if (!d) throw new HttpProblem(404, 'NOT_FOUND', `no delivery ${req.params.id.slice(0, 40)} that you may read`);
      return d;
    },
  );
}
