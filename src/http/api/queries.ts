import type { FastifyInstance } from 'fastify';
import { affectedPopulation, parseAffectedFilter } from '../../register/affected-population.js';
import type { Services } from '../../register/services.js';
import { HttpProblem } from '../problem.js';

export function queryRoutes(app: FastifyInstance, services: Services): void {
  app.post(
    '/queries/affected-population',
    {
      // reads only: a token with read scope may ask
      config: { scope: 'system/*.read' },
      schema: {
        summary: 'Who carries this implant? Implants and patients, per provider and per implant year (inspector)',
        tags: ['queries'],
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            udiDi: { type: 'array', items: { type: 'string' } },
            manufacturer: { type: 'string', description: 'manufacturer name contains (case-insensitive)' },
            productName: { type: 'string', description: 'product name contains (case-insensitive)' },
            implantType: { type: 'string', description: 'implant type or category code; includes every code below it' },
            lots: { type: 'array', items: { type: 'string' } },
            serials: { type: 'array', items: { type: 'string' } },
            implantedFrom: { type: 'string', format: 'date' },
            implantedTo: { type: 'string', format: 'date' },
            stillImplanted: { type: 'boolean', description: 'not explanted and patient not known dead' },
          },
        },
      },
    },
    async (req) => {
      const parsed = parseAffectedFilter(req.body ?? {});
      if (!parsed.ok) throw new HttpProblem(422, 'INVALID_QUERY', 'the query has errors', parsed.errors.map((e) => ({ code: e.code, message: e.message, pointer: e.path })));
      return affectedPopulation(services.db, req.caller, parsed.filter, services.implantTypes);
    },
  );
}
