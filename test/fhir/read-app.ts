// The app for read-path tests: the real app, with the FHIR read routes under /fhir/R4. When the
// FHIR plugin of the write path is wired into buildApp it already serves them; until then they are
// registered here the way that plugin will (bearer auth, prefix /fhir/R4).

import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { registerBearerAuth } from '../../src/http/plugins/auth.js';
import { fhirReadRoutes } from '../../src/http/fhir/read-routes.js';
import type { Services } from '../../src/register/services.js';

export async function fhirTestApp(services: Services): Promise<FastifyInstance> {
  const app = await buildApp(services);
  if (!app.hasRoute({ method: 'GET', url: '/fhir/R4/DeviceUseStatement/:id' })) {
    await app.register(
      async (fhir) => {
        registerBearerAuth(fhir, services.db);
        fhirReadRoutes(fhir, services);
      },
      { prefix: '/fhir/R4' },
    );
  }
  await app.ready();
  return app;
}
