// Certificates, recalls and the suspended-implants query over REST. Thin: input checks and access
// policy live in catalogue/certificates.ts, catalogue/recalls.ts and register/suspended-implants.ts.

import type { FastifyInstance } from 'fastify';
import { AlreadyExists, InvalidInput, NotFound, type InputIssue } from '../../catalogue/certificate-recall-input.js';
import {
  CERTIFICATE_REASONS,
  addStatusChange,
  listCertificates,
  mayChangeCertificateStatus,
  mayRecordCertificates,
  parseCertificateInput,
  parseStatusChange,
  saveCertificate,
} from '../../catalogue/certificates.js';
import { CERTIFICATE_STATUSES } from '../../catalogue/certificate-status.js';
import { listRecalls, mayRecordRecalls, parseRecallInput, RECALL_KINDS, saveRecalls } from '../../catalogue/recalls.js';
import { isValidIsoDate } from '../../domain/dates.js';
import { implantedWhileSuspended, parseSuspendedFilter } from '../../register/suspended-implants.js';
import type { Services } from '../../register/services.js';
import { HttpProblem } from '../problem.js';

const date = { type: 'string', format: 'date' };
const statusChangeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status', 'effectiveFrom'],
  properties: {
    status: { type: 'string', enum: [...CERTIFICATE_STATUSES] },
    effectiveFrom: { ...date, description: 'the day the status takes effect; on or after the certificate’s validFrom' },
    reasonCode: { type: 'string', enum: [...CERTIFICATE_REASONS] },
  },
};
const certificateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['udiDis', 'nbNumber', 'nbName', 'certificateNumber', 'certificateVersion', 'validFrom', 'validUntil'],
  properties: {
    udiDis: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'the devices (UDI-DIs) the certificate covers' },
    nbNumber: { type: 'string', pattern: '^(NB ?)?[0-9]{4}$', description: 'the notified body’s 4-digit number, e.g. "0344"' },
    nbName: { type: 'string', maxLength: 200 },
    certificateNumber: { type: 'string', maxLength: 100 },
    certificateVersion: { type: 'string', maxLength: 40, description: 'a renewal is a new version' },
    validFrom: date,
    validUntil: date,
    statusChanges: { type: 'array', items: statusChangeSchema, description: 'changes after issue; the certificate starts as valid on validFrom' },
  },
};
const recallSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['reference', 'kind', 'udiDi', 'issuedOn'],
  properties: {
    reference: { type: 'string', maxLength: 100, description: 'the manufacturer’s FSCA reference' },
    kind: { type: 'string', enum: [...RECALL_KINDS] },
    udiDi: { type: 'string' },
    issuedOn: date,
    allUnits: { type: 'boolean', description: 'every unit of the device; then no lots or serial ranges' },
    lots: { type: 'array', items: { type: 'string' } },
    serialRanges: {
      type: 'array',
      items: { type: 'object', required: ['from'], properties: { from: { type: 'string' }, to: { type: 'string', description: 'default: from' } } },
      description: 'from–to inclusive: the same prefix followed by the same number of digits, compared as numbers; a single serial has from = to',
    },
  },
};

const invalid = (what: string, errors: readonly InputIssue[], prefix = '') =>
  new HttpProblem(422, 'INVALID_INPUT', `the ${what} has errors`, errors.map((e) => ({ code: e.code, message: e.message, pointer: prefix + e.path })));

/** Domain errors → problem+json. */
function asProblem(err: unknown, what: string): unknown {
  if (err instanceof InvalidInput) return invalid(what, err.errors);
  if (err instanceof AlreadyExists) return new HttpProblem(409, err.code, err.message, undefined, { id: err.id });
  if (err instanceof NotFound) return new HttpProblem(404, err.code, err.message);
  return err;
}

function dateParam(name: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !isValidIsoDate(value)) {
    throw new HttpProblem(400, 'INVALID_PARAMETER', `${name} must be a date written YYYY-MM-DD`, [{ code: 'INVALID_DATE', message: `${name} must be a date written YYYY-MM-DD`, pointer: name }]);
  }
  return value;
}

function udiDiParam(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+$/.:_-]{1,60}$/.test(value)) {
    throw new HttpProblem(400, 'INVALID_PARAMETER', 'udiDi must be one UDI-DI', [{ code: 'INVALID_FORMAT', message: 'udiDi must be one UDI-DI (1–60 characters)', pointer: 'udiDi' }]);
  }
  return value;
}

export function safetyRoutes(app: FastifyInstance, services: Services): void {
  const db = services.db;

  app.post(
    '/certificates',
    { schema: { summary: 'Register a notified body’s certificate for devices, with its status changes (registry administrator)', tags: ['certificates'], body: certificateSchema } },
    async (req, reply) => {
      mayRecordCertificates(req.caller); // before validation: a caller without the role learns nothing from it
      const parsed = parseCertificateInput(req.body ?? null);
      if (!parsed.ok) throw invalid('certificate', parsed.errors);
      try {
        const saved = await db.transaction((tx) => saveCertificate(tx, req.caller, parsed.value, 'fail'));
        const [view] = await listCertificates(db, req.caller, { id: saved.id });
        return reply.code(201).header('Location', `/api/v1/certificates?id=${saved.id}`).send(view);
      } catch (err) {
        throw asProblem(err, 'certificate');
      }
    },
  );

  app.post<{ Params: { id: string } }>(
    '/certificates/:id/status',
    { schema: { summary: 'Record a status change of a certificate (registry administrator or inspector)', tags: ['certificates'], body: statusChangeSchema } },
    async (req, reply) => {
      mayChangeCertificateStatus(req.caller);
      const parsed = parseStatusChange(req.body ?? null);
      if (!parsed.ok) throw invalid('status change', parsed.errors);
      try {
        const { added } = await db.transaction((tx) => addStatusChange(tx, req.caller, req.params.id, parsed.value));
        const [view] = await listCertificates(db, req.caller, { id: req.params.id });
        return reply.code(added ? 201 : 200).send(view);
      } catch (err) {
        throw asProblem(err, 'status change');
      }
    },
  );

  app.get<{ Querystring: { udiDi?: string; id?: string; on?: string } }>(
    '/certificates',
    {
      schema: {
        summary: 'Certificates of a device with status history and periods (inspector, registry administrator)',
        tags: ['certificates'],
        querystring: { type: 'object', properties: { udiDi: { type: 'string' }, id: { type: 'string', format: 'uuid' }, on: { ...date, description: 'also give the status on this date' } } },
      },
    },
    async (req) => {
      const on = dateParam('on', req.query.on);
      const udiDi = udiDiParam(req.query.udiDi);
      return { items: await listCertificates(db, req.caller, { ...(udiDi ? { udiDi } : {}), ...(req.query.id ? { id: req.query.id } : {}), ...(on ? { on } : {}) }) };
    },
  );

  app.post(
    '/recalls',
    { schema: { summary: 'Register a recall or field safety notice for a device: all units, lots or serial ranges (inspector, registry administrator)', tags: ['recalls'], body: recallSchema } },
    async (req, reply) => {
      mayRecordRecalls(req.caller);
      const parsed = parseRecallInput(req.body ?? null);
      if (!parsed.ok) throw invalid('recall', parsed.errors);
      try {
        const { ids } = await db.transaction((tx) => saveRecalls(tx, req.caller, [parsed.value], 'fail'));
        const [view] = await listRecalls(db, req.caller, { id: ids[0]! });
        return reply.code(201).send(view);
      } catch (err) {
        throw asProblem(err, 'recall');
      }
    },
  );

  app.get<{ Querystring: { udiDi?: string } }>(
    '/recalls',
    {
      schema: {
        summary: 'Recalls and field safety notices (inspector, registry administrator; a provider sees those concerning units it implanted)',
        tags: ['recalls'],
        querystring: { type: 'object', properties: { udiDi: { type: 'string' } } },
      },
    },
    async (req) => {
      const udiDi = udiDiParam(req.query.udiDi);
      return { items: await listRecalls(db, req.caller, udiDi ? { udiDi } : {}) };
    },
  );

  app.get<{ Querystring: Record<string, unknown> }>(
    '/queries/implanted-while-suspended',
    {
      schema: {
        summary: 'Devices implanted while their certificate was suspended or withdrawn: implants and patients per provider (inspector)',
        tags: ['queries'],
        querystring: {
          type: 'object',
          properties: {
            udiDi: { type: 'array', items: { type: 'string' }, description: 'limit to these devices (repeatable)' },
            from: { ...date, description: 'implanted on or after' },
            to: { ...date, description: 'implanted on or before' },
          },
        },
      },
    },
    async (req) => {
      const parsed = parseSuspendedFilter({ ...req.query });
      if (!parsed.ok) throw new HttpProblem(400, 'INVALID_QUERY', 'the query has errors', parsed.errors.map((e) => ({ code: e.code, message: e.message, pointer: e.path.slice(1) })));
      return implantedWhileSuspended(db, req.caller, parsed.filter);
    },
  );
}
