import type { FastifyInstance } from 'fastify';
import { requireRole } from '../../auth/caller.js';
import { listProviders } from '../../catalogue/reference-data.js';
import type { Services } from '../../register/services.js';
import { HttpProblem } from '../problem.js';

export function referenceRoutes(app: FastifyInstance, services: Services): void {
  app.get('/implant-types', { schema: { summary: 'The implant-type list (annex of the Besluit, plus IUDs)', tags: ['reference'] } }, async () =>
    [...services.implantTypes].map(([code, t]) => ({ code, ...t })),
  );

  app.get<{ Params: { udiDi: string } }>('/devices/:udiDi', { schema: { summary: 'One catalogue device by UDI-DI', tags: ['reference'] } }, async (req) => {
    const [d] = await services.db.query(
      `SELECT udi_di AS "udiDi", issuer, manufacturer, product_name AS "productName", model, implant_type AS "implantType", updated_at AS "updatedAt"
       FROM devices WHERE udi_di = $1`,
      [req.params.udiDi],
    );
    if (!d) throw new HttpProblem(404, 'NOT_FOUND', `UDI-DI ${req.params.udiDi.slice(0, 60)} is not in the catalogue`);
    return d;
  });

  app.get('/providers', { schema: { summary: 'Registered care providers (inspector, registry administrator)', tags: ['reference'] } }, async (req) => {
    requireRole(req.caller, 'inspector', 'registry-admin');
    return listProviders(services.db);
  });

  app.get('/me', { schema: { summary: 'Who the token belongs to', tags: ['reference'] } }, async (req) => {
    const c = req.caller;
    return c.role === 'provider' ? { role: c.role, providerKvk: c.providerKvk } : { role: c.role };
  });
}
