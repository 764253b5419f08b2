import type { FastifyInstance } from 'fastify';
import type { Services } from '../../register/services.js';
import { implantationReport, REPORT_DIMENSIONS, type ReportDimension } from '../../register/implantation-report.js';
import { HttpProblem } from '../problem.js';

interface ReportQuery {
  by?: string;
  from?: string;
  to?: string;
  suppression?: string;
}

const year = (v: string | undefined, name: string, fallback: number): number => {
  if (v === undefined) return fallback;
  if (!/^[0-9]{4}$/.test(v) || Number(v) < 1950 || Number(v) > 2100) {
    throw new HttpProblem(400, 'INVALID_PARAMETER', `${name} must be a year (four digits, 1950–2100)`, [{ code: 'INVALID_FORMAT', message: `${name} must be a year`, pointer: name }]);
  }
  return Number(v);
};

export function reportRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: ReportQuery }>(
    '/reports/implantations',
    {
      config: { scope: 'system/*.read' },
      schema: {
        summary: 'Implantations per year by implant category, provider type or region; small cells suppressed (association, inspector)',
        tags: ['reports'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            by: { type: 'string', enum: [...REPORT_DIMENSIONS], default: 'category' },
            from: { type: 'string', description: 'first year (default: 2019, when the register began)' },
            to: { type: 'string', description: 'last year (default: this year)' },
            suppression: { type: 'string', enum: ['on', 'off'], description: '`off`: inspectorate only' },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      const by = (q.by ?? 'category') as ReportDimension;
      if (!REPORT_DIMENSIONS.includes(by)) throw new HttpProblem(400, 'INVALID_PARAMETER', `by must be one of ${REPORT_DIMENSIONS.join(', ')}`, [{ code: 'UNKNOWN_CODE', message: 'unknown dimension', pointer: 'by' }]);
      if (q.suppression !== undefined && q.suppression !== 'on' && q.suppression !== 'off') throw new HttpProblem(400, 'INVALID_PARAMETER', 'suppression must be on or off', [{ code: 'UNKNOWN_CODE', message: 'suppression must be on or off', pointer: 'suppression' }]);
      const fromYear = year(q.from, 'from', 2019);
      const toYear = year(q.to, 'to', new Date(services.auth.now()).getUTCFullYear());
      if (toYear < fromYear || toYear - fromYear > 50) throw new HttpProblem(400, 'INVALID_PARAMETER', 'to must be a year at or after from, at most 50 years later', [{ code: 'INVALID_RANGE', message: 'bad year range', pointer: 'to' }]);
      return implantationReport(services.db, req.caller, { by, fromYear, toYear, unsuppressed: q.suppression === 'off' });
    },
  );
}
