import type { FastifyInstance } from 'fastify';
import { toAuditEvent } from '../../privacy/audit-fhir.js';
import { listAudit, verifyAuditLog, type AuditFilter } from '../../privacy/audit-log.js';
import type { Services } from '../../register/services.js';
import { HttpProblem } from '../problem.js';

interface AuditQuery {
  from?: string;
  to?: string;
  user?: string;
  object?: string;
  _count?: number;
  after?: number;
}

/**
 * The log manager's read of the NEN 7513 log as a FHIR searchset Bundle of AuditEvents, and the
 * check of its hash chain. Both are themselves audit entries (access to the log).
 */
export function auditRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: AuditQuery }>(
    '/audit-events',
    {
      config: { scope: 'system/*.read' },
      schema: {
        summary: 'The access log (NEN 7513) as FHIR AuditEvent resources, oldest first (log manager)',
        tags: ['audit'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', description: 'recorded at or after (ISO date or instant)' },
            to: { type: 'string', description: 'recorded at or before (ISO date or instant)' },
            user: { type: 'string', description: 'user id (caller subject)' },
            object: { type: 'string', description: 'object id (record or delivery id)' },
            _count: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            after: { type: 'integer', minimum: 0, description: 'continue after this seq' },
          },
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      for (const k of ['from', 'to'] as const) {
        if (q[k] !== undefined && Number.isNaN(Date.parse(q[k]!))) throw new HttpProblem(400, 'INVALID_PARAMETER', `${k} must be an ISO date or instant`);
      }
      const limit = q._count === undefined ? 100 : Number(q._count);
      const after = q.after === undefined ? undefined : Number(q.after);
      const filter: AuditFilter = {
        ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}), ...(q.user ? { user: q.user } : {}),
        ...(q.object ? { object: q.object } : {}), ...(after !== undefined ? { afterSeq: after } : {}), limit,
      };
      const entries = await listAudit(services.db, req.caller, filter);
      const last = entries.at(-1);
      const bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        ...(entries.length === limit && last ? { link: [{ relation: 'next', url: `/api/v1/audit-events?${nextQuery(q, last.seq)}` }] } : {}),
        entry: entries.map((e) => ({ fullUrl: `urn:lir:audit-event:${e.seq}`, resource: toAuditEvent(e), search: { mode: 'match' } })),
      };
      reply.type('application/fhir+json');
      return bundle;
    },
  );

  app.get(
    '/audit-verification',
    {
      config: { scope: 'system/*.read' },
      schema: {
        summary: 'Verify the hash chain of the access log: ok, or the first altered, removed or reordered entry (log manager)',
        tags: ['audit'],
      },
    },
    async (req) => verifyAuditLog(services.db, req.caller),
  );
}

function nextQuery(q: AuditQuery, after: number): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && k !== 'after') p.set(k, String(v));
  p.set('after', String(after));
  return p.toString();
}
