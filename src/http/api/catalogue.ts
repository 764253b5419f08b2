// The device catalogue's history and curation queue. Thin: the catalogue modules do the work and
// apply the access policy (catalogue-curation.ts refuses providers).

import type { FastifyInstance } from 'fastify';
import { deviceHistory } from '../../catalogue/catalogue-history.js';
import { unresolvedDevices } from '../../catalogue/catalogue-curation.js';
import type { Services } from '../../register/services.js';
import { HttpProblem } from '../problem.js';
import { pageQuery } from './paging.js';

export function catalogueRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Params: { udiDi: string } }>(
    '/devices/:udiDi/history',
    {
      schema: {
        summary: 'Every insert and change of a catalogue device, oldest first',
        description:
          'One entry per insert or change: `changedAt`, `source` (the catalogue file’s name, `api`, or `migration` for devices older than the history), ' +
          '`operation` (`insert` or `update`) and `changes` (`{ field: { old, new } }` for the fields that changed). Re-importing an unchanged device adds nothing.',
        tags: ['reference'],
        params: { type: 'object', properties: { udiDi: { type: 'string', maxLength: 60 } } },
      },
    },
    async (req) => {
      const udiDi = req.params.udiDi;
      const history = udiDi.length <= 60 ? await deviceHistory(services.db, udiDi) : undefined;
      if (!history) throw new HttpProblem(404, 'NOT_FOUND', `UDI-DI ${udiDi.slice(0, 60)} has never been in the catalogue`);
      return history;
    },
  );

  app.get<{ Querystring: { limit?: string } }>(
    '/catalogue/unresolved',
    {
      schema: {
        summary: 'Curation queue: UDI-DIs that records reference but the catalogue lacks (inspector, registry administrator)',
        description:
          'Per UDI-DI: active records waiting, care providers, first and last implant date, first received; most waiting records first. ' +
          '`devices` and `records` count the whole queue. Adding the device to the catalogue resolves its records.',
        tags: ['reference'],
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
      },
    },
    async (req) => unresolvedDevices(services.db, req.caller, { limit: pageQuery(req.query).limit }),
  );
}
